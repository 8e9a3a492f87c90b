import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { buildTraceTree, type TraceRequest, type TraceTree } from "@/lib/domain/trace-tree";
import { computeTraceMetrics } from "@/lib/domain/trace-metrics";
import { parseNodeId } from "@/lib/domain/node-id";
import { isWasted, replacedAttemptIds } from "@/lib/domain/wasted-spend";

let nextId = 0;
function request(nodeId: string, startMs: number, endMs: number, extra: Partial<TraceRequest> = {}): TraceRequest {
  const parsed = parseNodeId(nodeId);
  if (!parsed.ok) throw new Error(parsed.reason);
  return {
    id: `req-${nextId++}`,
    nodeId,
    parentNodeId: parsed.parentNodeId,
    status: 200,
    cancelled: false,
    startMs,
    endMs,
    costUsd: 0.001,
    costUnknown: false,
    ...extra,
  };
}

function shape(tree: TraceTree) {
  return tree.nodes.map((n) => ({
    id: n.id,
    parentId: n.parentId,
    depth: n.depth,
    isVirtual: n.isVirtual,
    requestIds: n.requests.map((r) => r.id),
    onCriticalPath: n.onCriticalPath,
    subtreeCostUsd: n.subtreeCostUsd,
    subtreeStartMs: n.subtreeStartMs,
    subtreeEndMs: n.subtreeEndMs,
  }));
}

describe("trace tree from the seed's examples", () => {
  it("basic example: parent, two children, a grandchild give depth 3 and four nodes", () => {
    const requests = [
      request("p", 0, 100),
      request("p:c1", 110, 200),
      request("p:c2", 210, 300),
      request("p:c2:g", 310, 400),
    ];
    const tree = buildTraceTree(requests);
    expect(tree.nodes.map((n) => [n.id, n.parentId, n.depth])).toEqual([
      ["p", null, 1],
      ["p:c1", "p", 2],
      ["p:c2", "p", 2],
      ["p:c2:g", "p:c2", 3],
    ]);
    const metrics = computeTraceMetrics(tree);
    expect(metrics).toEqual({
      totalCost: 0.004,
      costComplete: true,
      totalDurationMs: 400,
      nodeCount: 4,
      maxDepth: 3,
      successRate: 1,
      wastedCost: 0,
      wastedDurationMs: 0,
    });
  });

  it("agent example: the never-logged agent id becomes a virtual root over its steps", () => {
    const tree = buildTraceTree([request("agent:plan", 0, 10), request("agent:act", 20, 30), request("agent:reflect", 40, 50)]);
    const root = tree.byId.get("agent")!;
    expect(root.isVirtual).toBe(true);
    expect(root.requests).toEqual([]);
    expect(root.childIds).toEqual(["agent:plan", "agent:act", "agent:reflect"]);
    expect(computeTraceMetrics(tree).maxDepth).toBe(2);
    expect(computeTraceMetrics(tree).nodeCount).toBe(3);
  });

  it("a child that arrives before its parent ends up under it once the parent arrives", () => {
    const child = request("t:child", 5, 10);
    const parent = request("t", 0, 20);
    expect(buildTraceTree([child]).byId.get("t")!.isVirtual).toBe(true);
    const tree = buildTraceTree([child, parent]);
    expect(tree.byId.get("t")!.isVirtual).toBe(false);
    expect(tree.byId.get("t:child")!.parentId).toBe("t");
  });

  it("a missing chain of ancestors is filled with virtual nodes", () => {
    const tree = buildTraceTree([request("a:b:c:d", 0, 10)]);
    expect(tree.nodes.map((n) => [n.id, n.isVirtual])).toEqual([
      ["a", true],
      ["a:b", true],
      ["a:b:c", true],
      ["a:b:c:d", false],
    ]);
  });

  it("the same node id logged twice is one node with two attempts", () => {
    const tree = buildTraceTree([request("t:x", 0, 10, { status: 500 }), request("t:x", 20, 30)]);
    const node = tree.byId.get("t:x")!;
    expect(node.requests.map((r) => r.status)).toEqual([500, 200]);
    expect(node.selfLatencyMs).toBe(30);
    const metrics = computeTraceMetrics(tree);
    expect(metrics.nodeCount).toBe(2);
    expect(metrics.successRate).toBe(0.5);
  });

  it("total duration runs from the earliest start to the latest end, not the latest start", () => {
    const tree = buildTraceTree([request("t", 0, 50), request("t:long", 10, 500), request("t:late", 100, 120)]);
    expect(computeTraceMetrics(tree).totalDurationMs).toBe(500);
  });

  it("an unknown price makes the total a flagged lower bound, not zero", () => {
    const tree = buildTraceTree([request("t", 0, 1, { costUsd: 0.5 }), request("t:x", 0, 1, { costUsd: null, costUnknown: true })]);
    const metrics = computeTraceMetrics(tree);
    expect(metrics.totalCost).toBe(0.5);
    expect(metrics.costComplete).toBe(false);
    expect(tree.byId.get("t")!.subtreeCostComplete).toBe(false);
  });

  it("parallel children: only the slowest is on the critical path", () => {
    const tree = buildTraceTree([
      request("p", 0, 10),
      request("p:fast", 10, 50),
      request("p:slow", 10, 300),
      request("p:mid", 10, 120),
    ]);
    const critical = tree.nodes.filter((n) => n.onCriticalPath).map((n) => n.id);
    expect(critical).toEqual(["p", "p:slow"]);
  });

  it("sequential steps are all on the critical path", () => {
    const tree = buildTraceTree([request("a:plan", 0, 10), request("a:act", 11, 20), request("a:reflect", 21, 30)]);
    expect(tree.nodes.filter((n) => n.onCriticalPath).map((n) => n.id)).toEqual(["a", "a:plan", "a:act", "a:reflect"]);
  });

  it("span-style parent links that loop are cut, and every node is kept", () => {
    const a = { ...request("x", 0, 10), nodeId: "aaaa", parentNodeId: "bbbb" };
    const b = { ...request("x", 5, 10), nodeId: "bbbb", parentNodeId: "aaaa" };
    const tree = buildTraceTree([a, b]);
    expect(tree.nodes.map((n) => [n.id, n.parentId])).toEqual([
      ["aaaa", null],
      ["bbbb", "aaaa"],
    ]);
  });

  it("a span whose parent never arrives hangs under a virtual node", () => {
    const span = { ...request("x", 0, 10), nodeId: "child-span", parentNodeId: "lost-parent" };
    const tree = buildTraceTree([span]);
    expect(tree.nodes.map((n) => [n.id, n.parentId, n.isVirtual])).toEqual([
      ["lost-parent", null, true],
      ["child-span", "lost-parent", false],
    ]);
  });

  it("a 10,000-level chain builds without overflowing the stack", () => {
    // Each id extends its parent's (not re-joined from scratch: that alone took seconds).
    const requests: TraceRequest[] = [];
    let parentNodeId: string | null = null;
    for (let i = 0; i < 10_000; i++) {
      const nodeId: string = parentNodeId === null ? "s0" : `${parentNodeId}:s${i}`;
      requests.push({ ...request("x", i, i + 1), nodeId, parentNodeId });
      parentNodeId = nodeId;
    }
    const tree = buildTraceTree(requests);
    expect(computeTraceMetrics(tree).maxDepth).toBe(10_000);
    expect(tree.nodes.every((n) => n.onCriticalPath)).toBe(true);
  });
});

// ---- property-based tests against a brute-force oracle ----

interface GeneratedTrace {
  requests: TraceRequest[];
  shuffled: TraceRequest[];
}

const statusArb = fc.constantFrom(200, 201, 204, 400, 404, 429, 500, 503);
const costArb = fc.oneof(
  fc.record({ costUsd: fc.integer({ min: 0, max: 10_000 }).map((c) => c / 1e6), costUnknown: fc.constant(false) }),
  fc.constant({ costUsd: null, costUnknown: true }),
);

const traceArb: fc.Arbitrary<GeneratedTrace> = fc
  .record({
    // parentChoice[i] picks the parent of node i among nodes 0..i-1, or a new root
    parentChoice: fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
    rootOdds: fc.integer({ min: 0, max: 4 }),
    loggedMask: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 40, maxLength: 40 }),
    timings: fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 300 })), { minLength: 80, maxLength: 80 }),
    statuses: fc.array(statusArb, { minLength: 80, maxLength: 80 }),
    // one request in six cancelled by its client
    cancels: fc.array(fc.integer({ min: 0, max: 5 }).map((roll) => roll === 0), { minLength: 80, maxLength: 80 }),
    costs: fc.array(costArb, { minLength: 80, maxLength: 80 }),
    seed: fc.integer(),
  })
  .map(({ parentChoice, rootOdds, loggedMask, timings, statuses, cancels, costs, seed }) => {
    const paths: string[] = [];
    parentChoice.forEach((choice, i) => {
      const makeRoot = i === 0 || choice % 5 < rootOdds - 3;
      paths.push(makeRoot ? `r${i}` : `${paths[choice % i]}:n${i}`);
    });
    const requests: TraceRequest[] = [];
    paths.forEach((path, i) => {
      // 0: not logged (virtual if named by a descendant), 1–2: one attempt, 3: two attempts
      const attempts = loggedMask[i]! === 0 ? 0 : loggedMask[i]! === 3 ? 2 : 1;
      for (let a = 0; a < attempts; a++) {
        const k = (i * 2 + a) % 80;
        const [start, duration] = timings[k]!;
        requests.push(request(path, start, start + duration, { status: statuses[k]!, cancelled: cancels[k]!, ...costs[k]! }));
      }
    });
    if (requests.length === 0) requests.push(request(paths[0]!, 0, 1));
    const shuffled = [...requests];
    let state = seed;
    for (let i = shuffled.length - 1; i > 0; i--) {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      const j = state % (i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    return { requests, shuffled };
  });

function ancestorsAndSelf(nodeId: string): string[] {
  const segments = nodeId.split(":");
  return segments.map((_, i) => segments.slice(0, i + 1).join(":"));
}

function inSubtree(nodeId: string, root: string): boolean {
  return nodeId === root || nodeId.startsWith(`${root}:`);
}

describe("trace tree properties (random trees, shuffled arrival)", () => {
  it("arrival order never changes the tree", () => {
    fc.assert(
      fc.property(traceArb, ({ requests, shuffled }) => {
        expect(shape(buildTraceTree(shuffled))).toEqual(shape(buildTraceTree(requests)));
      }),
    );
  });

  it("nodes are exactly the logged ids and their ancestors; virtual exactly when never logged", () => {
    fc.assert(
      fc.property(traceArb, ({ shuffled }) => {
        const tree = buildTraceTree(shuffled);
        const logged = new Set(shuffled.map((r) => r.nodeId));
        const expected = new Set(shuffled.flatMap((r) => ancestorsAndSelf(r.nodeId)));
        expect(new Set(tree.nodes.map((n) => n.id))).toEqual(expected);
        expect(tree.nodes.length).toBe(expected.size);
        for (const node of tree.nodes) {
          const segments = node.id.split(":");
          expect(node.isVirtual).toBe(!logged.has(node.id));
          expect(node.depth).toBe(segments.length);
          expect(node.parentId).toBe(segments.length > 1 ? segments.slice(0, -1).join(":") : null);
          expect(node.requests.map((r) => r.id).sort()).toEqual(
            shuffled.filter((r) => r.nodeId === node.id).map((r) => r.id).sort(),
          );
        }
      }),
    );
  });

  it("parents come before their children in the node list", () => {
    fc.assert(
      fc.property(traceArb, ({ shuffled }) => {
        const seen = new Set<string>();
        for (const node of buildTraceTree(shuffled).nodes) {
          if (node.parentId !== null) expect(seen.has(node.parentId)).toBe(true);
          seen.add(node.id);
        }
      }),
    );
  });

  it("subtree cost, span and request count equal brute-force sums over descendants", () => {
    fc.assert(
      fc.property(traceArb, ({ shuffled }) => {
        for (const node of buildTraceTree(shuffled).nodes) {
          const inside = shuffled.filter((r) => inSubtree(r.nodeId, node.id));
          expect(node.subtreeRequestCount).toBe(inside.length);
          expect(node.subtreeCostUsd).toBeCloseTo(inside.reduce((sum, r) => sum + (r.costUsd ?? 0), 0), 9);
          expect(node.subtreeCostComplete).toBe(inside.every((r) => !r.costUnknown));
          expect(node.subtreeStartMs).toBe(Math.min(...inside.map((r) => r.startMs)));
          expect(node.subtreeEndMs).toBe(Math.max(...inside.map((r) => r.endMs)));
        }
      }),
    );
  });

  it("metrics equal their brute-force definitions", () => {
    fc.assert(
      fc.property(traceArb, ({ shuffled }) => {
        const metrics = computeTraceMetrics(buildTraceTree(shuffled));
        const starts = shuffled.map((r) => r.startMs);
        const ends = shuffled.map((r) => r.endMs);
        expect(metrics.nodeCount).toBe(shuffled.length);
        expect(metrics.totalDurationMs).toBe(Math.max(...ends) - Math.min(...starts));
        expect(metrics.maxDepth).toBe(Math.max(...shuffled.map((r) => r.nodeId.split(":").length)));
        expect(metrics.successRate).toBeCloseTo(shuffled.filter((r) => r.status >= 200 && r.status < 300).length / shuffled.length, 12);
        expect(metrics.totalCost).toBeCloseTo(shuffled.reduce((sum, r) => sum + (r.costUsd ?? 0), 0), 9);
        expect(metrics.costComplete).toBe(shuffled.every((r) => !r.costUnknown));
      }),
    );
  });

  it("critical path: the last-ending root, and in each critical node its last-finishing child, are critical", () => {
    fc.assert(
      fc.property(traceArb, ({ shuffled }) => {
        const tree = buildTraceTree(shuffled);
        const roots = tree.rootIds.map((id) => tree.byId.get(id)!);
        const latestEnd = Math.max(...roots.map((r) => r.subtreeEndMs));
        expect(roots.some((r) => r.onCriticalPath && r.subtreeEndMs === latestEnd)).toBe(true);
        for (const node of tree.nodes) {
          if (node.onCriticalPath && node.parentId !== null) expect(tree.byId.get(node.parentId)!.onCriticalPath).toBe(true);
          if (!node.onCriticalPath || node.childIds.length === 0) continue;
          const children = node.childIds.map((id) => tree.byId.get(id)!);
          const lastEnd = Math.max(...children.map((c) => c.subtreeEndMs));
          expect(children.some((c) => c.onCriticalPath && c.subtreeEndMs === lastEnd)).toBe(true);
        }
      }),
    );
  });

  it("critical path: critical siblings never overlap, and every other sibling overlaps one of them", () => {
    fc.assert(
      fc.property(traceArb, ({ shuffled }) => {
        const tree = buildTraceTree(shuffled);
        const groups = [tree.rootIds, ...tree.nodes.filter((n) => n.onCriticalPath).map((n) => n.childIds)];
        for (const group of groups) {
          const siblings = group.map((id) => tree.byId.get(id)!);
          const critical = siblings.filter((s) => s.onCriticalPath).sort((a, b) => a.subtreeEndMs - b.subtreeEndMs);
          for (let i = 1; i < critical.length; i++) {
            expect(critical[i - 1]!.subtreeEndMs).toBeLessThanOrEqual(critical[i]!.subtreeStartMs);
          }
          for (const other of siblings.filter((s) => !s.onCriticalPath)) {
            expect(critical.some((k) => k.subtreeStartMs < other.subtreeEndMs && other.subtreeEndMs <= k.subtreeEndMs)).toBe(true);
          }
        }
      }),
    );
  });
});

describe("wasted spend in a trace and its subtrees", () => {
  // One agent run: a planning call retried after its first answer was rejected (both 200), a
  // search that failed while the first plan ran, a stream the user cancelled, and a final answer.
  const wastedRun = () => [
    request("run", 0, 400, { costUsd: 0 }),
    request("run:plan", 10, 60, { costUsd: 0.01 }),
    request("run:plan", 70, 120, { costUsd: 0.01 }),
    request("run:search", 20, 80, { status: 500, costUsd: 0 }),
    request("run:answer", 130, 250, { cancelled: true, costUsd: 0.004 }),
    request("run:answer:final", 260, 390, { costUsd: 0.02 }),
  ];

  it("counts failed calls, cancelled streams and replaced attempts, never the attempt that stood", () => {
    const metrics = computeTraceMetrics(buildTraceTree(wastedRun()));
    expect(metrics.wastedCost).toBeCloseTo(0.014, 12);
    expect(metrics.totalCost).toBeCloseTo(0.044, 12);
  });

  it("wasted time is wall-clock time with a wasted call running: overlaps count once", () => {
    // replaced plan [10, 60) and failed search [20, 80) overlap: 70 ms, then the cancelled stream 120 ms
    expect(computeTraceMetrics(buildTraceTree(wastedRun())).wastedDurationMs).toBe(190);
  });

  it("each subtree reports only the waste inside it", () => {
    const tree = buildTraceTree(wastedRun());
    const waste = (id: string) => [tree.byId.get(id)!.subtreeWastedCostUsd, tree.byId.get(id)!.subtreeWastedDurationMs];
    expect(waste("run")).toEqual([0.014, 190]);
    expect(waste("run:plan")).toEqual([0.01, 50]);
    expect(waste("run:search")).toEqual([0, 60]);
    expect(waste("run:answer")).toEqual([0.004, 120]);
    expect(waste("run:answer:final")).toEqual([0, 0]);
  });

  it("a failed attempt that a retry replaced is counted once", () => {
    const tree = buildTraceTree([request("t", 0, 100, { status: 429, costUsd: 0.5 }), request("t", 200, 300, { costUsd: 0.5 })]);
    expect(computeTraceMetrics(tree)).toMatchObject({ wastedCost: 0.5, wastedDurationMs: 100 });
  });

  it("a trace without failures, cancellations or retries wastes nothing", () => {
    const tree = buildTraceTree([request("t", 0, 100), request("t:a", 10, 50), request("t:b", 50, 90)]);
    expect(computeTraceMetrics(tree)).toMatchObject({ wastedCost: 0, wastedDurationMs: 0 });
    expect(tree.nodes.every((n) => n.subtreeWastedCostUsd === 0 && n.subtreeWastedDurationMs === 0)).toBe(true);
  });

  /** The Dashboard's rule applied to the flat list of requests, as the metrics API applies it. */
  function wastedByDashboardRule(requests: readonly TraceRequest[]): TraceRequest[] {
    const replaced = replacedAttemptIds(requests.map((r) => ({ ...r, traceId: "t" })));
    return requests.filter((r) => isWasted({ ...r, replaced: replaced.has(r.id) }));
  }

  /** Time covered by at least one interval, counted millisecond by millisecond (times are whole ms). */
  function coveredMs(intervals: readonly TraceRequest[]): number {
    let covered = 0;
    for (let t = 0; t <= 1300; t++) if (intervals.some((r) => r.startMs <= t && t < r.endMs)) covered++;
    return covered;
  }

  it("trace and subtree figures equal the Dashboard's rule over each subtree's requests, time counted by the millisecond", () => {
    fc.assert(
      fc.property(traceArb, ({ shuffled }) => {
        const tree = buildTraceTree(shuffled);
        const wasted = wastedByDashboardRule(shuffled);
        const metrics = computeTraceMetrics(tree);
        expect(metrics.wastedCost).toBeCloseTo(wasted.reduce((sum, r) => sum + (r.costUsd ?? 0), 0), 9);
        expect(metrics.wastedDurationMs).toBe(coveredMs(wasted));
        expect(metrics.wastedDurationMs).toBeLessThanOrEqual(metrics.totalDurationMs);
        for (const node of tree.nodes) {
          const inside = wasted.filter((r) => inSubtree(r.nodeId, node.id));
          expect(node.subtreeWastedCostUsd).toBeCloseTo(inside.reduce((sum, r) => sum + (r.costUsd ?? 0), 0), 9);
          expect(node.subtreeWastedDurationMs).toBe(coveredMs(inside));
        }
      }),
    );
  });

  it("a 10,000-level chain of failed calls, none overlapping, rolls up in linearithmic time", () => {
    const requests: TraceRequest[] = [];
    let parentNodeId: string | null = null;
    for (let i = 0; i < 10_000; i++) {
      const nodeId: string = parentNodeId === null ? "s0" : `${parentNodeId}:s${i}`;
      requests.push({ ...request("x", 2 * i, 2 * i + 1, { status: 500 }), nodeId, parentNodeId });
      parentNodeId = nodeId;
    }
    const tree = buildTraceTree(requests);
    // Merging interval lists up the chain would copy 50 million intervals.
    expect(tree.nodes[0]!.subtreeWastedDurationMs).toBe(10_000);
    expect(tree.nodes[5_000]!.subtreeWastedDurationMs).toBe(5_000);
    expect(computeTraceMetrics(tree).wastedDurationMs).toBe(10_000);
  });
});
