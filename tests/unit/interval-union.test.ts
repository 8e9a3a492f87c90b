import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { subtreeUnionLengthsMs, unionLengthMs, type Interval, type PlacedInterval } from "@/lib/domain/interval-union";

/** Whole milliseconds covered by at least one interval, counted one by one. */
function coveredMs(intervals: readonly Interval[]): number {
  let covered = 0;
  for (let t = 0; t < 200; t++) if (intervals.some((i) => i.startMs <= t && t < i.endMs)) covered++;
  return covered;
}

const intervalArb = fc.tuple(fc.integer({ min: 0, max: 150 }), fc.integer({ min: -5, max: 50 })).map(([startMs, length]) => ({ startMs, endMs: startMs + length }));

describe("union of intervals", () => {
  it("overlapping intervals count once, touching ones add up, empty and reversed ones add nothing", () => {
    expect(unionLengthMs([])).toBe(0);
    expect(unionLengthMs([{ startMs: 0, endMs: 10 }, { startMs: 5, endMs: 15 }])).toBe(15);
    expect(unionLengthMs([{ startMs: 10, endMs: 20 }, { startMs: 0, endMs: 10 }])).toBe(20);
    expect(unionLengthMs([{ startMs: 0, endMs: 100 }, { startMs: 20, endMs: 30 }])).toBe(100);
    expect(unionLengthMs([{ startMs: 5, endMs: 5 }, { startMs: 9, endMs: 3 }])).toBe(0);
  });

  it("equals the milliseconds covered, counted one by one", () => {
    fc.assert(
      fc.property(fc.array(intervalArb, { maxLength: 30 }), (intervals) => {
        expect(unionLengthMs(intervals)).toBe(coveredMs(intervals));
      }),
    );
  });

  /** A random forest numbered depth-first: parent[k] < k, or -1 for a root. */
  const forestArb = fc.array(fc.nat(), { minLength: 1, maxLength: 30 }).map((choices) => {
    // Node k's parent is one of the nodes on the path from the latest root to node k − 1, which
    // keeps the numbering depth-first.
    const parent: number[] = [];
    const path: number[] = [];
    choices.forEach((choice, k) => {
      const keep = choice % (path.length + 1);
      path.length = keep;
      parent.push(keep === 0 ? -1 : path[keep - 1]!);
      path.push(k);
    });
    return parent;
  });

  it("each subtree's union equals the milliseconds covered by the intervals of its nodes", () => {
    const caseArb = forestArb.chain((parent) =>
      fc.tuple(fc.constant(parent), fc.array(fc.tuple(fc.integer({ min: 0, max: parent.length - 1 }), intervalArb), { maxLength: 40 })),
    );
    fc.assert(
      fc.property(caseArb, ([parent, held]) => {
        const inSubtree = (k: number, root: number): boolean => k === root || (parent[k]! !== -1 && inSubtree(parent[k]!, root));
        const subtreeEnd = new Int32Array(parent.length);
        for (let k = 0; k < parent.length; k++) {
          let end = k + 1;
          while (end < parent.length && inSubtree(end, k)) end++;
          subtreeEnd[k] = end;
        }
        const intervals: PlacedInterval[] = held.map(([position, interval]) => ({ position, ...interval }));
        const lengths = subtreeUnionLengthsMs(subtreeEnd, intervals);
        for (let k = 0; k < parent.length; k++) {
          expect(lengths[k]).toBe(coveredMs(intervals.filter((i) => inSubtree(i.position, k))));
        }
      }),
    );
  });
});
