import { describe, expect, it } from "vitest";
import { TRACEWELL_ATTRIBUTES as TW } from "@/lib/contracts/otlp-export";
import { emptyAttributes, type AttributeValue, type OtlpSpan } from "@/lib/ingest/otlp/otlp-span";
import { exportToLoggedRequests, spanContext, spanToLoggedRequest } from "@/lib/ingest/otlp/span-to-record";

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

function span(attrs: Record<string, AttributeValue>, overrides: Partial<OtlpSpan> = {}): OtlpSpan {
  return {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "00f067aa0ba902b7",
    parentSpanId: "",
    name: "step",
    kind: 1,
    startMs: NOW - 1000,
    endMs: NOW - 500,
    attributes: Object.assign(emptyAttributes(), attrs),
    events: [],
    statusCode: 0,
    statusMessage: "",
    ...overrides,
  };
}

const context = spanContext("org", NOW, emptyAttributes(), { name: "test", version: "1" });

function record(input: OtlpSpan) {
  const mapped = spanToLoggedRequest(input, context);
  if (!mapped.ok) throw new Error(`span was rejected: ${mapped.reason}`);
  return mapped.record;
}

describe("the HTTP status of a span (http.response.status_code)", () => {
  it("is the status of a failed span, 0 (no answer) included, and of a successful one when it is 2xx", () => {
    expect(record(span({ "http.response.status_code": 429 }, { statusCode: 2, statusMessage: "rate limited" }))).toMatchObject({ status: 429, errorReason: "rate limited" });
    expect(record(span({ "http.response.status_code": 0 }, { statusCode: 2, statusMessage: "no response" })).status).toBe(0);
    expect(record(span({ "http.response.status_code": "201" })).status).toBe(201);
  });

  it("a failed span keeps its 200 (a stream that broke after it) and stays failed", () => {
    expect(record(span({ "http.response.status_code": 200 }, { statusCode: 2, statusMessage: "broke mid-stream" }))).toMatchObject({ status: 200, errorReason: "broke mid-stream" });
  });

  it("as before: a span that did not fail counts as a 200 whatever its code, a failed one without a code as a 500", () => {
    expect(record(span({ "http.response.status_code": 404 }))).toMatchObject({ status: 200, errorReason: null });
    expect(record(span({}, { statusCode: 2 })).status).toBe(500);
    expect(record(span({ "http.response.status_code": "abc" }, { statusCode: 2 })).status).toBe(500);
  });
});

describe("Tracewell's own names, as its trace export writes them", () => {
  it("keep the source, and the HTTP method of a proxied or custom-logged request", () => {
    expect(record(span({ [TW.source]: "proxy", "http.request.method": "POST" }, { kind: 3 }))).toMatchObject({ source: "proxy", method: "POST" });
    // An OTLP span's method is its kind, HTTP method or not.
    expect(record(span({ "http.request.method": "GET" }, { kind: 3 }))).toMatchObject({ source: "otel", method: "CLIENT" });
  });

  it("take the cost as given, and the latency, time to first token and cancellation as stored", () => {
    const r = record(
      span({
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 1000,
        [TW.costUsd]: 0.123,
        [TW.latencyMs]: 499.75,
        [TW.timeToFirstTokenMs]: 12.5,
        [TW.cancelled]: true,
      }),
    );
    expect(r).toMatchObject({ costUsd: 0.123, costUnknown: false, latencyMs: 499.75, timeToFirstTokenMs: 12.5, cancelled: true });
  });

  it("store the bodies as logged instead of the span's own content; an empty value is no body", () => {
    const r = record(span({ [TW.requestBody]: '{"model":"gpt-4o","messages":[]}', [TW.responseBody]: null, "gen_ai.prompt": "ignored" }));
    expect(r.requestBody).toBe('{"model":"gpt-4o","messages":[]}');
    expect(r.responseBody).toBeNull();
  });

  it("tokens_estimated says whether counts were estimated, and stops counting tokens from the content", () => {
    const content = { "gen_ai.request.model": "gpt-4o-mini", "gen_ai.prompt": "Plan a trip", "gen_ai.completion": "Day 1: the museum" };
    expect(record(span(content))).toMatchObject({ tokensEstimated: true });
    expect(record(span({ ...content, [TW.tokensEstimated]: false }))).toMatchObject({ tokensEstimated: false, promptTokens: null, completionTokens: null });
    expect(record(span({ ...content, "gen_ai.usage.input_tokens": 3, [TW.tokensEstimated]: true }))).toMatchObject({ tokensEstimated: true, promptTokens: 3 });
  });

  it("a value of the wrong type refuses the span, saying which", () => {
    for (const [key, value] of [
      [TW.source, "carrier pigeon"],
      [TW.costUsd, -1],
      [TW.latencyMs, "soon"],
      [TW.cancelled, "yes"],
      [TW.requestBody, 42],
    ] as const) {
      const mapped = spanToLoggedRequest(span({ [key]: value }), context);
      expect(mapped.ok).toBe(false);
      if (!mapped.ok) expect(mapped.reason).toContain(key);
    }
  });

  it("a span marked virtual is not stored, and is no rejection either", () => {
    const decoded = {
      resourceSpans: [{ resource: emptyAttributes(), scopeSpans: [{ scope: { name: "t", version: "1" }, spans: [span({ [TW.virtual]: true, "helicone.node_id": "t:a" }), span({ "helicone.node_id": "t:a:b" })] }] }],
      rejected: [],
    };
    const { records, rejected } = exportToLoggedRequests(decoded, "org", NOW);
    expect(rejected).toEqual([]);
    expect(records.map((r) => r.nodeId)).toEqual(["t:a:b"]);
  });
});
