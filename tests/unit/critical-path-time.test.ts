import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { criticalPathSavings, parallelSavingsMs, splitAtFirstToken, type PathNode, type TimeSpan } from "@/lib/domain/critical-path-time";
import { buildTraceTree, type TraceRequest } from "@/lib/domain/trace-tree";

const span = (startMs: number, endMs: number): TimeSpan => ({ startMs, endMs });

describe("what running a parent's children at once could save", () => {
  it("three one-second calls in a row could finish two seconds sooner", () => {
    expect(parallelSavingsMs([span(0, 1000), span(1000, 2000), span(2000, 3000)])).toBe(2000);
  });

  it("calls that already ran side by side save nothing, nor does a single call", () => {
    expect(parallelSavingsMs([span(0, 900), span(0, 300), span(100, 600)])).toBe(0);
    expect(parallelSavingsMs([span(0, 900)])).toBe(0);
    expect(parallelSavingsMs([])).toBe(0);
  });

  it("a call that overlapped the first one runs as it did; only the later step moves up", () => {
    expect(parallelSavingsMs([span(0, 10), span(0, 3), span(10, 20)])).toBe(10);
  });

  /**
   * Independent of the formula: the laid-out end found by scanning the clock for the last
   * millisecond any child runs, and the at-once end by running a clock until every child has
   * had its duration, all starting with the first.
   */
  function simulatedSavings(children: readonly TimeSpan[]): number {
    const first = Math.min(...children.map((c) => c.startMs));
    let laidOutEnd = first;
    for (let t = first; t < 2000; t++) if (children.some((c) => c.startMs <= t && t < c.endMs)) laidOutEnd = t + 1;
    const remaining = children.map((c) => c.endMs - c.startMs);
    let atOnceEnd = first;
    while (remaining.some((ms) => ms > 0)) {
      atOnceEnd++;
      remaining.forEach((ms, i) => (remaining[i] = ms - 1));
    }
    return laidOutEnd - atOnceEnd;
  }

  it("equals a clock-by-clock simulation of the children as they ran and all started together", () => {
    const children = fc.array(
      fc.tuple(fc.integer({ min: 0, max: 800 }), fc.integer({ min: 1, max: 300 })).map(([start, length]) => span(start, start + length)),
      { minLength: 2, maxLength: 8 },
    );
    fc.assert(
      fc.property(children, (list) => {
        expect(parallelSavingsMs(list)).toBe(simulatedSavings(list));
      }),
    );
  });
});

describe("a streamed call's time, split at its first token", () => {
  it("time to first token, then generation", () => {
    expect(splitAtFirstToken(1200, 300)).toEqual({ firstTokenMs: 300, generationMs: 900 });
  });

  it("no split without a first token, and a first token past the end counts as the end", () => {
    expect(splitAtFirstToken(1200, null)).toBeNull();
    expect(splitAtFirstToken(1200, 1500)).toEqual({ firstTokenMs: 1200, generationMs: 0 });
  });

  it("the two parts are never negative and always add up to the latency", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: -10, max: 200_000 }), (latencyMs, firstToken) => {
        const split = splitAtFirstToken(latencyMs, firstToken)!;
        expect(split.firstTokenMs).toBeGreaterThanOrEqual(0);
        expect(split.generationMs).toBeGreaterThanOrEqual(0);
        expect(split.firstTokenMs + split.generationMs).toBe(latencyMs);
      }),
    );
  });
});

describe("savings along the critical path", () => {
  let nextId = 0;
  const call = (nodeId: string, startMs: number, endMs: number): TraceRequest => ({
    id: `r${nextId++}`,
    nodeId,
    parentNodeId: nodeId.includes(":") ? nodeId.slice(0, nodeId.lastIndexOf(":")) : null,
    status: 200,
    cancelled: false,
    startMs,
    endMs,
    costUsd: null,
    costUnknown: false,
  });
  /** The trace tree's nodes as the trace view reads them (its subtree span is the node's span). */
  const pathNodes = (requests: TraceRequest[]) => {
    const tree = buildTraceTree(requests);
    const nodes: PathNode[] = tree.nodes.map((n) => ({ id: n.id, onCriticalPath: n.onCriticalPath, childIds: n.childIds, startMs: n.subtreeStartMs, endMs: n.subtreeEndMs }));
    return { nodes, byId: new Map(nodes.map((n) => [n.id, n])) };
  };

  it("names the critical parents whose calls ran one after another, largest saving first", () => {
    const { nodes, byId } = pathNodes([
      call("run", 0, 100),
      // three sequential searches: 600 ms could run in 250
      call("run:research", 100, 700),
      call("run:research:a", 100, 300),
      call("run:research:b", 300, 550),
      call("run:research:c", 550, 700),
      // two sequential drafts: 400 ms could run in 200
      call("run:write", 700, 1100),
      call("run:write:x", 700, 900),
      call("run:write:y", 900, 1100),
    ]);
    expect(criticalPathSavings(nodes, byId)).toEqual([
      // research (600 ms) and write (400 ms) at once: 1,000 ms become 600
      { parentId: "run", savingsMs: 400, childCount: 2 },
      { parentId: "run:research", savingsMs: 350, childCount: 3 },
      { parentId: "run:write", savingsMs: 200, childCount: 2 },
    ]);
  });

  it("leaves out parents off the critical path: speeding them up would not end the trace sooner", () => {
    const { nodes, byId } = pathNodes([
      call("p", 0, 10),
      call("p:long", 10, 1000),
      call("p:short", 10, 200),
      call("p:short:a", 10, 100),
      call("p:short:b", 100, 200),
    ]);
    expect(byId.get("p:short")!.onCriticalPath).toBe(false);
    expect(criticalPathSavings(nodes, byId)).toEqual([]);
  });
});
