import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { NODE_ID_LIMITS, impliedParentOf, parseNodeId } from "@/lib/domain/node-id";

describe("node ids", () => {
  it("a root id is its own trace with no parent", () => {
    expect(parseNodeId("7f3e")).toEqual({ ok: true, nodeId: "7f3e", traceId: "7f3e", parentNodeId: null, depth: 1 });
  });

  it("a grandchild's parent is its path prefix and its trace is the first segment", () => {
    expect(parseNodeId("p:c:g")).toEqual({ ok: true, nodeId: "p:c:g", traceId: "p", parentNodeId: "p:c", depth: 3 });
  });

  it.each([
    ["", "empty"],
    ["   ", "empty"],
    ["a::b", "empty segment at position 2"],
    [":a", "empty segment at position 1"],
    ["a:", "empty segment at position 2"],
    ["a\nb", "control characters"],
    ["a\u0000b", "control characters"],
    [Array(1000).fill("a").join(":"), "levels"],
    ["x".repeat(10_000), "characters long"],
    [`a:${"y".repeat(NODE_ID_LIMITS.maxSegmentLength + 1)}`, "segment 2 is longer"],
  ])("rejects an invalid id (%#) with a reason that says what is wrong", (raw, reason) => {
    const parsed = parseNodeId(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });

  it("accepts unicode and a 100-level agent", () => {
    expect(parseNodeId("エージェント:計画").ok).toBe(true);
    expect(parseNodeId(Array.from({ length: 100 }, (_, i) => `step-${i}`).join(":")).ok).toBe(true);
  });

  it("any list of valid segments round-trips: parent, trace and depth follow the path", () => {
    const segment = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/[:\u0000-\u001f\u007f-\u009f]/.test(s) && s.trim() === s);
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 30 }), (segments) => {
        const parsed = parseNodeId(segments.join(":"));
        expect(parsed).toEqual({
          ok: true,
          nodeId: segments.join(":"),
          traceId: segments[0],
          parentNodeId: segments.length > 1 ? segments.slice(0, -1).join(":") : null,
          depth: segments.length,
        });
        expect(impliedParentOf(segments.join(":"))).toBe(parsed.ok ? parsed.parentNodeId : undefined);
      }),
    );
  });
});
