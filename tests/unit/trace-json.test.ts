import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeTraceMetrics } from "@/lib/domain/trace-metrics";
import { buildTraceTree } from "@/lib/domain/trace-tree";
import { isoTime, traceJsonChunks } from "@/lib/read-api/get-trace";
import type { TraceRow } from "@/lib/storage/trace-rows";

// The route streams the trace as bytes written field by field from the field tables
// (traceJsonChunks). Those bytes must be exactly JSON.stringify of the response as objects, built
// here by hand, independently of the tables: the wire format the dashboard and API clients parse.

/** The response as objects: keys in this order, times as toISOString, properties as their object. */
function expectedResponse(traceId: string, rows: readonly TraceRow[]) {
  const tree = buildTraceTree(rows.flatMap((row) => (row.nodeId === null ? [] : [{ ...row, nodeId: row.nodeId }])));
  return {
    traceId,
    metrics: computeTraceMetrics(tree),
    nodes: tree.nodes.map((node) => ({
      id: node.id,
      parentId: node.parentId,
      depth: node.depth,
      virtual: node.isVirtual,
      onCriticalPath: node.onCriticalPath,
      selfLatencyMs: node.selfLatencyMs,
      subtreeLatencyMs: node.subtreeLatencyMs,
      subtreeCost: node.subtreeCostUsd,
      subtreeCostComplete: node.subtreeCostComplete,
      subtreeRequestCount: node.subtreeRequestCount,
      subtreeWastedCost: node.subtreeWastedCostUsd,
      subtreeWastedDurationMs: node.subtreeWastedDurationMs,
      startTime: new Date(node.subtreeStartMs).toISOString(),
      endTime: new Date(node.subtreeEndMs).toISOString(),
      requests: node.requests.map((row) => ({
        id: row.id,
        source: row.source,
        status: row.status,
        errorReason: row.errorReason,
        cancelled: row.cancelled,
        provider: row.provider,
        model: row.model,
        path: row.path,
        method: row.method,
        startTime: new Date(row.startMs).toISOString(),
        endTime: new Date(row.endMs).toISOString(),
        latencyMs: row.latencyMs,
        timeToFirstTokenMs: row.timeToFirstTokenMs,
        stream: row.stream,
        cost: row.costUsd,
        costUnknown: row.costUnknown,
        usageRollup: row.usageRollup,
        promptTokens: row.promptTokens,
        completionTokens: row.completionTokens,
        cachedTokens: row.cachedTokens,
        tokensEstimated: row.tokensEstimated,
        sessionId: row.sessionId,
        userId: row.userId,
        properties: objectOrEmpty(row.properties),
      })),
    })),
  };
}

/** Stored properties: the JSON object they hold, {} for anything else (bad JSON, an array, null). */
function objectOrEmpty(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

const expectedBytes = (traceId: string, rows: readonly TraceRow[]) => Buffer.from(JSON.stringify(expectedResponse(traceId, rows)));

// any UTF-16 units, lone surrogates and controls included
const anyText = fc.string({
  unit: fc.oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code))),
  maxLength: 12,
});
const anyNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 1e21, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 0.1 + 0.2, 4.2e-5, Number.NaN, Number.POSITIVE_INFINITY),
);
const anyTime = fc.oneof(fc.integer({ min: -8.6e15, max: 8.6e15 }), fc.integer({ min: 0, max: 4e12 }));
const properties = fc.oneof(
  fc.constant("{}"),
  fc.dictionary(anyText, anyText).map((object) => JSON.stringify(object)),
  fc.constantFrom('{"2":"b","1":"a","z":"y"}', "not json", "[1,2]", "null", '{"n":1}'),
);

const rowArb = (segments: string[]): fc.Arbitrary<TraceRow> =>
  fc.record({
    id: anyText,
    nodeId: fc.oneof({ weight: 9, arbitrary: fc.subarray(segments, { minLength: 1 }).map((path) => path.join(":")) }, { weight: 1, arbitrary: fc.constant(null) }),
    source: anyText,
    status: fc.integer({ min: 0, max: 599 }),
    errorReason: fc.option(anyText),
    cancelled: fc.boolean(),
    provider: anyText,
    model: fc.option(anyText),
    path: anyText,
    method: anyText,
    startMs: anyTime,
    durationMs: fc.integer({ min: 0, max: 1e6 }),
    latencyMs: anyNumber,
    timeToFirstTokenMs: fc.option(anyNumber),
    stream: fc.boolean(),
    costUsd: fc.option(anyNumber),
    costUnknown: fc.boolean(),
    usageRollup: fc.boolean(),
    promptTokens: fc.option(fc.integer()),
    completionTokens: fc.option(fc.integer()),
    cachedTokens: fc.option(fc.integer()),
    tokensEstimated: fc.boolean(),
    sessionId: fc.option(anyText),
    userId: fc.option(anyText),
    properties,
  }).map(({ durationMs, ...row }) => ({
    ...row,
    parentNodeId: row.nodeId !== null && row.nodeId.includes(":") ? row.nodeId.slice(0, row.nodeId.lastIndexOf(":")) : null,
    endMs: row.startMs + durationMs,
  }));

const traceArb = fc
  .array(fc.oneof(anyText, fc.constantFrom("a", "b", "c")), { minLength: 1, maxLength: 4 })
  .chain((segments) => fc.tuple(anyText, fc.array(rowArb(segments), { minLength: 1, maxLength: 25 })));

const bytesOf = (chunks: Iterable<Buffer>) => Buffer.concat([...chunks]);

describe("trace JSON written as bytes", () => {
  it("is JSON.stringify of the response object, byte for byte", () => {
    fc.assert(
      fc.property(traceArb, ([traceId, rows]) => {
        expect(bytesOf(traceJsonChunks(traceId, rows)).toString("latin1")).toBe(expectedBytes(traceId, rows).toString("latin1"));
      }),
      { numRuns: 300 },
    );
  });

  it("a large trace comes in several chunks, each full but the last, and still the same bytes", () => {
    const rows: TraceRow[] = Array.from({ length: 3000 }, (_, i) => ({
      id: `request-${i}`,
      nodeId: i === 0 ? "t" : `t:n${i % 50}:m${i}`,
      parentNodeId: i === 0 ? null : `t:n${i % 50}`,
      source: "proxy",
      status: i % 7 === 0 ? 500 : 200,
      errorReason: i % 7 === 0 ? "upstream answered 500" : null,
      cancelled: false,
      provider: "openai",
      model: "gpt-4o-mini",
      path: "/v1/chat/completions",
      method: "POST",
      startMs: Date.UTC(2026, 0, 1) + i * 37,
      endMs: Date.UTC(2026, 0, 1) + i * 37 + 500,
      latencyMs: 500,
      timeToFirstTokenMs: 12.5,
      stream: true,
      costUsd: 0.000042 * i,
      costUnknown: false,
      usageRollup: false,
      promptTokens: 120,
      completionTokens: 40,
      cachedTokens: 0,
      tokensEstimated: false,
      sessionId: "s",
      userId: "ü",
      properties: '{"step":"plan ✓"}',
    }));
    const chunks = [...traceJsonChunks("t", rows)];
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.length).toBeGreaterThan(200 * 1024);
    expect(Buffer.concat(chunks).equals(expectedBytes("t", rows))).toBe(true);
  });

  it("isoTime is toISOString", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.double({ min: -8.64e15, max: 8.64e15, noNaN: true })), (ms) => {
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
    for (const ms of [0, 59_999, 60_000, 253402300799999, 253402300800000, -1]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });
});
