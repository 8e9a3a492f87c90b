import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { LoggedRequest } from "@/lib/domain/logged-request";
import { byStartThenId } from "@/lib/domain/wasted-spend";
import { decodeJsonExport } from "@/lib/ingest/otlp/otlp-json";
import { exportToLoggedRequests } from "@/lib/ingest/otlp/span-to-record";
import { traceToOtlpExport } from "@/lib/read-api/trace-otlp-export";
import type { TraceExportRow } from "@/lib/storage/trace-export-rows";

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const CANCELLED = "cancelled by the client before the response ended";

/** The export's bytes, read by the OTLP ingest as POST /v1/traces would: the records it would store. */
function reimport(traceId: string, rows: TraceExportRow[]): LoggedRequest[] {
  const wire = Buffer.from(JSON.stringify(traceToOtlpExport(traceId, rows)));
  const { records, rejected } = exportToLoggedRequests(decodeJsonExport(wire), "other-org", NOW);
  expect(rejected).toEqual([]);
  return records;
}

/** A row's fields as the record stores them, without what an import makes anew (ids, organization, headers). */
function comparable(request: Omit<TraceExportRow, "usageRollup"> | LoggedRequest) {
  const { id: _id, requestHeaders: _rh, responseHeaders: _sh, organizationId: _o, ...rest } = request as LoggedRequest;
  const properties = typeof rest.properties === "string" ? JSON.parse(rest.properties) : rest.properties;
  return { ...rest, properties, traceError: rest.traceError ?? null, usageRollup: undefined };
}

/** Each node's attempts in the trace's order (start, then id): the pairs to compare. */
function byNodeAndAttempt<T extends { id: string; nodeId: string | null; startTime: Date }>(requests: T[]): T[] {
  return [...requests].sort(
    (a, b) => (a.nodeId! < b.nodeId! ? -1 : a.nodeId! > b.nodeId! ? 1 : byStartThenId({ id: a.id, startMs: +a.startTime }, { id: b.id, startMs: +b.startTime })),
  );
}

// ---------------------------------------------------------------- random traces

const segment = fc.stringMatching(/^[a-z0-9_-]{1,6}$/);
const hex = (digits: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${digits}}$`)).filter((id) => !/^0+$/.test(id));
const text = fc.string({ maxLength: 40 }).map((value) => value.trim());
const nonEmptyText = text.filter((value) => value !== "");

/** What each ingest path stores for a call's outcome: ok, failed with a reason, broken after its 200, or cancelled. */
const outcome = fc.oneof(
  fc.record({ status: fc.constantFrom(200, 201), errorReason: fc.constant(null), cancelled: fc.constant(false) }),
  fc.record({ status: fc.constantFrom(0, 400, 404, 429, 500, 503), errorReason: fc.oneof(nonEmptyText, fc.constant(`${"x".repeat(500)}…`)), cancelled: fc.constant(false) }),
  fc.record({ status: fc.constant(200), errorReason: fc.constant("upstream connection failed mid-response: reset"), cancelled: fc.constant(false) }),
  fc.record({ status: fc.constantFrom(0, 200), errorReason: fc.constant(CANCELLED), cancelled: fc.constant(true) }),
);

const tokens = fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: null });

/** Usage and cost as stored: a known cost, or an unknown one (tokens on a model no table knows). */
const usage = fc.oneof(
  fc.record({ promptTokens: tokens, completionTokens: tokens, cachedTokens: tokens, costUsd: fc.double({ min: 0, max: 5, noNaN: true }), costUnknown: fc.constant(false) }),
  fc.record({ promptTokens: fc.integer({ min: 1, max: 5000 }), completionTokens: tokens, cachedTokens: fc.constant(null), costUsd: fc.constant(null), costUnknown: fc.constant(true) }),
);

const request = fc.record({
  source: fc.constantFrom("proxy", "custom", "otel"),
  otelKind: fc.constantFrom("INTERNAL", "CLIENT", "UNSPECIFIED", "GENERATION", "TOOL"),
  httpMethod: fc.constantFrom("POST", "GET"),
  provider: fc.constantFrom("openai", "anthropic", "otel", "tool", "custom"),
  model: fc.option(fc.constantFrom("gpt-4o-mini", "claude-haiku-4-5", "mystery-model-7"), { nil: null }),
  path: fc.oneof(fc.constantFrom("/v1/chat/completions", "chat gpt-4o", ""), text),
  outcome,
  startOffset: fc.integer({ min: 0, max: 60_000 }),
  latencyMs: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.double({ min: 0, max: 5000, noNaN: true })),
  // custom logs time in fractions of a millisecond: their end is not start + latency
  endSlack: fc.constantFrom(0, 1),
  timeToFirstTokenMs: fc.option(fc.double({ min: 0, max: 500, noNaN: true }), { nil: null }),
  stream: fc.boolean(),
  usage,
  tokensEstimated: fc.boolean(),
  sessionId: fc.option(nonEmptyText, { nil: null }),
  sessionName: fc.option(nonEmptyText, { nil: null }),
  userId: fc.option(nonEmptyText, { nil: null }),
  properties: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_.-]{0,11}$/), text, { maxKeys: 3 }),
  requestBody: fc.option(fc.oneof(fc.json(), fc.string()), { nil: null }),
  responseBody: fc.option(fc.oneof(fc.json(), fc.string()), { nil: null }),
});

type RequestSpec = typeof request extends fc.Arbitrary<infer T> ? T : never;

function rowOf(spec: RequestSpec, place: { traceId: string; nodeId: string; parentNodeId: string | null }, id: string): TraceExportRow {
  const startMs = NOW - 120_000 + spec.startOffset;
  const tokenFields = spec.usage;
  const totalTokens = tokenFields.promptTokens === null && tokenFields.completionTokens === null ? null : (tokenFields.promptTokens ?? 0) + (tokenFields.completionTokens ?? 0);
  return {
    id,
    source: spec.source,
    provider: spec.provider,
    model: spec.usage.costUnknown ? "mystery-model-7" : spec.model,
    method: spec.source === "otel" ? spec.otelKind : spec.httpMethod,
    path: spec.path,
    ...spec.outcome,
    startTime: new Date(startMs),
    endTime: new Date(Math.floor(startMs + spec.latencyMs) + spec.endSlack),
    latencyMs: spec.latencyMs,
    timeToFirstTokenMs: spec.timeToFirstTokenMs,
    stream: spec.stream,
    ...tokenFields,
    totalTokens,
    tokensEstimated: spec.tokensEstimated,
    traceId: place.traceId,
    nodeId: place.nodeId,
    parentNodeId: place.parentNodeId,
    traceError: null,
    sessionId: spec.sessionId,
    sessionName: spec.sessionName,
    userId: spec.userId,
    properties: JSON.stringify(spec.properties),
    usageRollup: false,
    requestBody: spec.requestBody,
    responseBody: spec.responseBody,
  };
}

/**
 * A trace as storage holds it: nodes by Helicone path (some never logged: virtual, some logged
 * several times: retries) and, in a trace whose id is 32 hex digits, OTLP spans placed by their
 * own ids (some naming a parent span that never arrived).
 */
const trace = fc
  .record({
    hexTrace: fc.boolean(),
    traceName: segment,
    hexTraceId: hex(32),
    // each path node: its parent's index among the earlier ones (-1: child of the root)
    paths: fc.array(fc.record({ parent: fc.nat(), segment, logged: fc.boolean(), attempts: fc.array(request, { minLength: 1, maxLength: 3 }) }), { minLength: 1, maxLength: 8 }),
    spans: fc.array(fc.record({ spanId: hex(16), parent: fc.oneof(fc.constant(null), fc.nat(), hex(16)), attempts: fc.array(request, { minLength: 1, maxLength: 2 }) }), { maxLength: 5 }),
  })
  .map(({ hexTrace, traceName, hexTraceId, paths, spans }) => {
    const traceId = hexTrace ? hexTraceId : traceName;
    const rows: TraceExportRow[] = [];
    let n = 0;
    const nextId = () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`;
    const pathIds: string[] = [];
    paths.forEach((node, index) => {
      const parent = index === 0 ? traceId : pathIds[node.parent % index]!;
      const nodeId = `${parent}:${node.segment}${index}`;
      pathIds.push(nodeId);
      if (node.logged || index === paths.length - 1) {
        for (const attempt of node.attempts) rows.push(rowOf(attempt, { traceId, nodeId, parentNodeId: parent }, nextId()));
      }
    });
    if (hexTrace) {
      const spanIds = [...new Set(spans.map((span) => span.spanId))];
      spans.forEach((span, index) => {
        const spanId = spanIds[index] ?? span.spanId;
        const parentNodeId = span.parent === null ? null : typeof span.parent === "number" ? (index === 0 ? null : spanIds[span.parent % index]!) : span.parent;
        for (const attempt of span.attempts) rows.push(rowOf(attempt, { traceId, nodeId: spanId, parentNodeId }, nextId()));
      });
    }
    return { traceId, rows };
  });

describe("a trace exported as OTLP/JSON and read back by the OTLP ingest", () => {
  it("gives back every request as it was stored: place in the tree, outcome, timing, usage, cost, session, properties, bodies", () => {
    fc.assert(
      fc.property(trace, ({ traceId, rows }) => {
        const imported = reimport(traceId, rows);
        expect(byNodeAndAttempt(imported).map(comparable)).toEqual(byNodeAndAttempt(rows).map(comparable));
      }),
      { numRuns: 300 },
    );
  });
});
