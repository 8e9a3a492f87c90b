import { describe, expect, it } from "vitest";
import { buildCompareModel, formatDelta, toneOf } from "@/components/trace-compare/compare-model";
import type { ComparedNode, ComparedNodeSide, TraceCompareResponse } from "@/lib/contracts/trace-compare";

const side = (extra: Partial<ComparedNodeSide> = {}): ComparedNodeSide => ({
  nodeId: "t:x",
  virtual: false,
  requestId: "r",
  requestCount: 1,
  statusCode: 200,
  model: "gpt-4o-mini",
  latencyMs: 100,
  cost: 0.001,
  costUnknown: false,
  promptTokens: 10,
  completionTokens: 5,
  subtreeLatencyMs: 100,
  subtreeCost: 0.001,
  ...extra,
});

const node = (a: ComparedNodeSide | null, b: ComparedNodeSide | null, changes: ComparedNode["changes"], deltas: Partial<ComparedNode["deltas"]> = {}, path = "x"): ComparedNode => ({
  path,
  parentPath: path === "" ? null : "",
  depth: path === "" ? 1 : 2,
  status: !a ? "added" : !b ? "removed" : changes.length > 0 ? "changed" : "same",
  changes,
  a,
  b,
  deltas: { latencyMs: null, cost: null, promptTokens: null, completionTokens: null, statusCode: null, ...deltas },
  contentChanged: a && b ? changes.includes("content") : null,
});

describe("the compare page's colours", () => {
  it("a node is coloured by what matters most: failed, then slower, then dearer, then any other change", () => {
    expect(toneOf(node(side(), side({ statusCode: 503, latencyMs: 900, cost: 0.01 }), ["status", "cost", "latency"], { latencyMs: 800, cost: 0.009 }))).toBe("failed");
    expect(toneOf(node(side(), side({ latencyMs: 900, cost: 0.01 }), ["cost", "latency"], { latencyMs: 800, cost: 0.009 }))).toBe("slower");
    expect(toneOf(node(side(), side({ cost: 0.01 }), ["cost"], { cost: 0.009 }))).toBe("dearer");
    expect(toneOf(node(side(), side({ latencyMs: 10, cost: 0.0001 }), ["cost", "latency"], { latencyMs: -90, cost: -0.0009 }))).toBe("changed");
    // A failure that a rerun fixed is a change, not a failure.
    expect(toneOf(node(side({ statusCode: 500 }), side(), ["status"], { statusCode: -300 }))).toBe("changed");
    expect(toneOf(node(side(), side(), []))).toBe("same");
    expect(toneOf(node(null, side(), []))).toBe("added");
    expect(toneOf(node(side(), null, []))).toBe("removed");
  });

  it("the merged tree hangs children under their parents, and a never-logged root reads as the trace root", () => {
    const response: TraceCompareResponse = {
      a: { traceId: "t1", metrics: { totalCost: 0, costComplete: true, totalDurationMs: 0, nodeCount: 1, maxDepth: 2, successRate: 1, wastedCost: 0, wastedDurationMs: 0 } },
      b: { traceId: "t2", metrics: { totalCost: 0, costComplete: true, totalDurationMs: 0, nodeCount: 1, maxDepth: 2, successRate: 1, wastedCost: 0, wastedDurationMs: 0 } },
      deltas: { totalCost: 0, totalDurationMs: 0, nodeCount: 0, maxDepth: 0, successRate: 0, wastedCost: 0, wastedDurationMs: 0 },
      nodes: [node(side({ virtual: true, requestId: null, statusCode: null }), side({ virtual: true, requestId: null, statusCode: null }), [], {}, ""), node(side(), null, [], {}, "plan:search")],
    };
    const model = buildCompareModel(response);
    expect(model.rootIds).toEqual(["path:"]);
    expect(model.byId.get("path:")!.childIds).toEqual(["path:plan:search"]);
    expect(model.byId.get("path:")!.label).toBe("(trace root)");
    expect(model.byId.get("path:plan:search")!).toMatchObject({ label: "search", tone: "removed" });
    expect(model.toneCounts).toMatchObject({ same: 1, removed: 1 });
  });

  it("deltas read with their sign", () => {
    expect(formatDelta(600, (v) => `${v} ms`)).toBe("+600 ms");
    expect(formatDelta(-2, String)).toBe("−2");
    expect(formatDelta(0, String)).toBe("±0");
    expect(formatDelta(null, String)).toBe("—");
  });
});
