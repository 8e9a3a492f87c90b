import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isWasted, replacedAttemptIds, type Attempt } from "@/lib/domain/wasted-spend";

const attempt = (id: string, startMs: number, traceId: string | null = "t", nodeId: string | null = "a"): Attempt => ({ id, traceId, nodeId, startMs });

describe("wasted spend", () => {
  it("counts failed, cancelled and replaced requests, not a successful last attempt", () => {
    expect(isWasted({ status: 500, cancelled: false, replaced: false })).toBe(true);
    expect(isWasted({ status: 0, cancelled: false, replaced: false })).toBe(true);
    expect(isWasted({ status: 200, cancelled: true, replaced: false })).toBe(true);
    expect(isWasted({ status: 200, cancelled: false, replaced: true })).toBe(true);
    expect(isWasted({ status: 201, cancelled: false, replaced: false })).toBe(false);
  });

  it("every attempt on a node but the last one is replaced, whatever order they arrive in", () => {
    const attempts = [attempt("r3", 300), attempt("r1", 100), attempt("r2", 200)];
    expect(replacedAttemptIds(attempts)).toEqual(new Set(["r1", "r2"]));
  });

  it("attempts that start together are ordered by id, as the trace view orders them", () => {
    expect(replacedAttemptIds([attempt("b", 100), attempt("a", 100)])).toEqual(new Set(["a"]));
  });

  it("the same node id in another trace, another node, or a request without trace or node is not a retry", () => {
    const attempts = [attempt("r1", 100, "t1"), attempt("r2", 200, "t2"), attempt("r3", 300, "t1", "b"), attempt("r4", 50, null), attempt("r5", 60, "t1", null)];
    expect(replacedAttemptIds(attempts)).toEqual(new Set());
  });

  it("a request stored twice (a replayed batch) does not replace itself", () => {
    expect(replacedAttemptIds([attempt("r1", 100), attempt("r1", 100)])).toEqual(new Set());
    expect(replacedAttemptIds([attempt("r1", 100), attempt("r2", 200), attempt("r1", 100)])).toEqual(new Set(["r1"]));
  });

  it("a late retry's effect is the difference of the sets before and after it arrives", () => {
    const stored = [attempt("r1", 100), attempt("r2", 200)];
    const before = replacedAttemptIds(stored);
    const after = replacedAttemptIds([...stored, attempt("r3", 300)]);
    expect([...after].filter((id) => !before.has(id))).toEqual(["r2"]);
  });

  it("the answer does not depend on arrival order (random attempts, shuffled)", () => {
    const attempts = fc.uniqueArray(
      fc.record({ id: fc.string({ minLength: 1, maxLength: 3 }), traceId: fc.constantFrom("t1", "t2", null), nodeId: fc.constantFrom("a", "a:b", null), startMs: fc.integer({ min: 0, max: 5 }) }),
      { selector: (a) => a.id, maxLength: 30 },
    );
    fc.assert(
      fc.property(attempts.chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length }))), ([list, shuffled]) => {
        expect(replacedAttemptIds(shuffled)).toEqual(replacedAttemptIds(list));
      }),
    );
  });
});
