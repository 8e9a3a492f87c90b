import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { LoggedRequest } from "@/lib/domain/logged-request";
import { mayMakeRollups, unmarkedUsageRollups, type RollupCandidate } from "@/lib/domain/usage-rollup";
import { buildTraceTree } from "@/lib/domain/trace-tree";
import { computeTraceMetrics } from "@/lib/domain/trace-metrics";
import { syntheticRequest } from "../bench/synthetic-requests";
import { randomRollupTrace, shuffledBatches } from "../fixtures/usage-rollup-traces";

function candidate(record: LoggedRequest): RollupCandidate {
  return {
    id: record.id,
    source: record.source,
    nodeId: record.nodeId!,
    parentNodeId: record.parentNodeId,
    status: record.status,
    cancelled: record.cancelled,
    startMs: record.startTime.getTime(),
    endMs: record.endTime.getTime(),
    promptTokens: record.promptTokens,
    completionTokens: record.completionTokens,
    totalTokens: record.totalTokens,
    costUsd: record.costUsd,
    costUnknown: record.costUnknown,
    usageRollup: false,
  };
}

const markRollup = (row: RollupCandidate) => Object.assign(row, { usageRollup: true, costUsd: 0, costUnknown: false });

/**
 * What storage does (lib/storage/usage-rollups.ts), in memory, for one trace: the batch's own
 * roll-ups are stored marked; then, when the trace holds rows the batch did not bring, the
 * roll-ups all its rows show are marked.
 */
function storeInBatches(batches: readonly LoggedRequest[][]): RollupCandidate[] {
  const stored: RollupCandidate[] = [];
  for (const batch of batches) {
    if (!batch.some(mayMakeRollups)) {
      stored.push(...batch.map(candidate));
      continue;
    }
    const rows = batch.map(candidate);
    const withinBatch = new Set(unmarkedUsageRollups(rows));
    for (const row of rows) if (withinBatch.has(row.id)) markRollup(row);
    stored.push(...rows);
    if (stored.length === batch.length) continue;
    const marked = new Set(unmarkedUsageRollups(stored));
    for (const row of stored) if (marked.has(row.id)) markRollup(row);
  }
  return stored;
}

const call = (nodeId: string, parentNodeId: string | null, source: LoggedRequest["source"], tokens: number | null, startMs = 0) =>
  syntheticRequest("org", {
    source,
    traceId: "t",
    nodeId,
    parentNodeId,
    startTime: new Date(Date.UTC(2026, 0, 1) + startMs),
    promptTokens: tokens,
    completionTokens: tokens === null ? null : 10,
    totalTokens: tokens === null ? null : tokens + 10,
    costUsd: tokens === null ? 0 : tokens * 1e-6,
  });

const markedNodes = (requests: LoggedRequest[]) => {
  const ids = new Set(unmarkedUsageRollups(requests.map(candidate)));
  return requests.filter((r) => ids.has(r.id)).map((r) => r.nodeId);
};

describe("usage roll-ups", () => {
  it("the Vercel AI SDK's invoke_agent, which sums its two chat calls, is a roll-up; the step without usage and the calls are not", () => {
    const requests = [
      call("agent", null, "otel", 300),
      call("step-1", "agent", "otel", null),
      call("chat-1", "step-1", "otel", 100),
      call("tool", "step-1", "otel", null),
      call("step-2", "agent", "otel", null),
      call("chat-2", "step-2", "otel", 200),
    ];
    expect(markedNodes(requests)).toEqual(["agent"]);
  });

  it("a framework's LLM span around an instrumented client call is a roll-up of it, whichever source logged the call", () => {
    expect(markedNodes([call("llm", null, "otel", 100), call("client", "llm", "otel", 100)])).toEqual(["llm"]);
    expect(markedNodes([call("llm", null, "otel", 100), call("llm:proxied", "llm", "proxy", 100)])).toEqual(["llm"]);
  });

  it("proxied and custom-logged calls are never roll-ups, even with priced calls below them", () => {
    expect(markedNodes([call("a", null, "proxy", 100), call("a:b", "a", "proxy", 100), call("a:b:c", "a:b", "otel", 100)])).toEqual([]);
    expect(markedNodes([call("a", null, "custom", 100), call("a:b", "a", "otel", 100)])).toEqual([]);
  });

  it("a span with usage is priced when nothing below it has usage (a failed call, a tool)", () => {
    expect(markedNodes([call("llm", null, "otel", 100), call("llm:failed", "llm", "proxy", null), call("tool", "llm", "otel", null)])).toEqual([]);
  });

  it("a span without usage is never marked, however many calls are below it", () => {
    expect(markedNodes([call("root", null, "otel", null), call("chat", "root", "otel", 100)])).toEqual([]);
  });

  it("calls below an ancestor that was never logged still count (Helicone paths imply it)", () => {
    expect(markedNodes([call("run", null, "otel", 500), call("run:plan:call", "run:plan", "proxy", 500)])).toEqual(["run"]);
  });

  it("parent links that loop are cut as the trace view cuts them, and nothing loops forever", () => {
    const first = call("x", "y", "otel", 100, 0);
    const second = call("y", "x", "otel", 100, 5);
    // x started first: the view makes it the root, so y is below it.
    expect(markedNodes([first, second])).toEqual(["x"]);
  });

  it("what makes a trace worth checking again: any OTLP span, or any request that names a parent", () => {
    expect(mayMakeRollups(call("s", null, "otel", null))).toBe(true);
    expect(mayMakeRollups(call("a:b", "a", "proxy", 100))).toBe(true);
    expect(mayMakeRollups(call("a:b", "a", "custom", null))).toBe(true);
    expect(mayMakeRollups(call("a", null, "proxy", 100))).toBe(false);
    expect(mayMakeRollups({ ...call("s", null, "otel", 100), traceId: null, nodeId: null })).toBe(false);
  });

  it("random traces in random orders and batches: the same roll-ups, tokens kept, and the trace costs what its calls cost", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 1000 }), (treeSeed, orderSeed) => {
        const trace = randomRollupTrace("org", treeSeed);
        const stored = storeInBatches(shuffledBatches(trace.records, orderSeed));
        const marked = new Set(stored.filter((row) => row.usageRollup).map((row) => row.id));
        expect(marked).toEqual(trace.rollupIds);
        const original = new Map(trace.records.map((r) => [r.id, r]));
        for (const row of stored) {
          expect(row.promptTokens).toBe(original.get(row.id)!.promptTokens);
          if (row.usageRollup) expect(row).toMatchObject({ costUsd: 0, costUnknown: false, source: "otel" });
        }
        // Nothing left to mark once all of it is stored.
        expect(unmarkedUsageRollups(stored)).toEqual([]);
        const metrics = computeTraceMetrics(buildTraceTree(stored));
        expect(metrics.totalCost).toBeCloseTo(trace.totalCostUsd, 9);
      }),
      // The example: a custom-logged step without usage, stored last, links a span to the call below it.
      { numRuns: 300, examples: [[2051292215, 15]] },
    );
  });
});
