import { describe, expect, it } from "vitest";
import { priceUsage } from "@/lib/domain/cost";
import type { LoggedRequest } from "@/lib/domain/logged-request";
import { readLangfuseCost, readLangfuseUsage } from "@/lib/ingest/otlp/langfuse-attributes";
import { emptyAttributes, type AttributeValue, type Attributes, type OtlpSpan } from "@/lib/ingest/otlp/otlp-span";
import { spanContext, spanToLoggedRequest } from "@/lib/ingest/otlp/span-to-record";

// Attribute values as @langfuse/tracing 5 writes them (createObservationAttributes,
// propagateAttributes): objects as JSON text, metadata flattened one key per attribute.
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

function attributes(values: Record<string, AttributeValue>): Attributes {
  return Object.assign(emptyAttributes(), values);
}

function span(attrs: Record<string, AttributeValue>, overrides: Partial<OtlpSpan> = {}): OtlpSpan {
  return {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "00f067aa0ba902b7",
    parentSpanId: "",
    name: "plan-llm",
    kind: 1,
    startMs: NOW - 1000,
    endMs: NOW - 500,
    attributes: attributes(attrs),
    events: [],
    statusCode: 0,
    statusMessage: "",
    ...overrides,
  };
}

function mapped(attrs: Record<string, AttributeValue>, overrides: Partial<OtlpSpan> = {}) {
  return spanToLoggedRequest(span(attrs, overrides), spanContext("org", NOW, emptyAttributes(), { name: "langfuse-sdk", version: "5.11.1" }));
}

function record(attrs: Record<string, AttributeValue>, overrides: Partial<OtlpSpan> = {}): LoggedRequest {
  const result = mapped(attrs, overrides);
  if (!result.ok) throw new Error(`span was rejected: ${result.reason}`);
  return result.record;
}

const usage = (details: unknown) => readLangfuseUsage(attributes({ "langfuse.observation.usage_details": JSON.stringify(details) }));
const cost = (details: unknown) => readLangfuseCost(attributes({ "langfuse.observation.cost_details": JSON.stringify(details) }));

describe("Langfuse observations as nodes", () => {
  it("the observation type is the node's kind, upper-cased as Langfuse shows it; the name stays the span's", () => {
    for (const type of ["span", "generation", "agent", "tool", "chain", "retriever", "evaluator", "guardrail", "embedding", "event"]) {
      expect(record({ "langfuse.observation.type": type })).toMatchObject({ method: type.toUpperCase(), path: "plan-llm" });
    }
    expect(record({}).method).toBe("INTERNAL");
    expect(record({ "langfuse.observation.type": "<script>" }).method).toBe("INTERNAL");
  });

  it("a generation is an LLM call: model, usage and content from Langfuse's attributes, priced from the table", () => {
    const r = record({
      "langfuse.observation.type": "generation",
      "langfuse.observation.model.name": "gpt-4o-mini",
      "langfuse.observation.usage_details": JSON.stringify({ input: 1000, input_cached_tokens: 200, output: 300 }),
      "langfuse.observation.input": JSON.stringify([{ role: "user", content: "Plan two days in Kyoto" }]),
      "langfuse.observation.output": JSON.stringify({ role: "assistant", content: "Day 1: Fushimi Inari." }),
    });
    const expected = priceUsage({ provider: "otel", model: "gpt-4o-mini", usage: { promptTokens: 1200, completionTokens: 300, cachedTokens: 200, totalTokens: 1500 } });
    expect(r).toMatchObject({ model: "gpt-4o-mini", promptTokens: 1200, completionTokens: 300, cachedTokens: 200, totalTokens: 1500, costUnknown: false });
    expect(r.costUsd).toBe(expected.costUsd);
    expect(r.costUsd).toBeGreaterThan(0);
    expect(JSON.parse(r.requestBody!).input).toEqual([{ role: "user", content: "Plan two days in Kyoto" }]);
    expect(JSON.parse(r.requestBody!).attributes).not.toHaveProperty("langfuse.observation.input");
    expect(JSON.parse(r.responseBody!).output).toEqual({ role: "assistant", content: "Day 1: Fushimi Inari." });
  });

  it("a given cost is stored exactly as given, instead of the table's price", () => {
    const given = record({
      "langfuse.observation.model.name": "gpt-4o",
      "langfuse.observation.usage_details": JSON.stringify({ input: 500, output: 100 }),
      "langfuse.observation.cost_details": JSON.stringify({ input: 0.0011, output: 0.0007, total: 0.00183 }),
    });
    expect(given).toMatchObject({ costUsd: 0.00183, costUnknown: false, promptTokens: 500 });
    // Even for a model the table does not know.
    expect(record({ "langfuse.observation.model.name": "in-house-llm", "langfuse.observation.cost_details": '{"total":0.5}' })).toMatchObject({
      costUsd: 0.5,
      costUnknown: false,
    });
  });

  it("an embedding with usage is priced like an LLM call", () => {
    const r = record({
      "langfuse.observation.type": "embedding",
      "langfuse.observation.model.name": "text-embedding-3-small",
      "langfuse.observation.usage_details": '{"input":800}',
    });
    expect(r).toMatchObject({ method: "EMBEDDING", promptTokens: 800, completionTokens: null, totalTokens: 800, costUnknown: false });
    expect(r.costUsd).toBeGreaterThan(0);
  });

  it("level ERROR fails the node with the status message as its reason; other levels do not", () => {
    expect(record({ "langfuse.observation.level": "ERROR", "langfuse.observation.status_message": "hotel API timed out" })).toMatchObject({
      status: 500,
      errorReason: "hotel API timed out",
    });
    expect(record({ "langfuse.observation.level": "ERROR" })).toMatchObject({ status: 500, errorReason: "observation level ERROR" });
    expect(record({ "langfuse.observation.level": "WARNING", "langfuse.observation.status_message": "slow" })).toMatchObject({ status: 200, errorReason: null });
    // An exception thrown inside startActiveObservation sets the span status: it fails as before.
    expect(record({}, { statusCode: 2, statusMessage: "boom" })).toMatchObject({ status: 500, errorReason: "boom" });
  });

  it("trace metadata and observation metadata become properties, the observation's winning; the trace name is `trace_name`", () => {
    const r = record({
      "langfuse.trace.name": "travel-planner",
      "langfuse.trace.metadata.Plan": "pro",
      "langfuse.trace.metadata.region": "eu-west",
      "langfuse.observation.metadata.region": "from-the-observation",
      "langfuse.observation.metadata.limits": JSON.stringify({ max: 3 }),
      "session.id": "session-1",
      "user.id": "user-1",
    });
    expect(r.properties).toEqual({ plan: "pro", region: "from-the-observation", limits: '{"max":3}', trace_name: "travel-planner" });
    expect(r).toMatchObject({ sessionId: "session-1", userId: "user-1" });
  });

  it("metadata sent whole as one JSON object counts too; a Helicone property of the same name wins", () => {
    const r = record({
      "langfuse.trace.metadata": JSON.stringify({ team: "search", tier: 2 }),
      "langfuse.trace.metadata.tier": "3",
      "helicone.property.team": "explicit",
    });
    expect(r.properties).toEqual({ team: "explicit", tier: "3" });
  });

  it("session and user also come from the names Langfuse's older SDKs use", () => {
    expect(record({ "langfuse.session.id": "s-9", "langfuse.user.id": "u-9" })).toMatchObject({ sessionId: "s-9", userId: "u-9" });
  });

  it("the completion start time gives the time to first token", () => {
    expect(record({ "langfuse.observation.completion_start_time": JSON.stringify(new Date(NOW - 900).toISOString()) }).timeToFirstTokenMs).toBe(100);
    expect(record({ "langfuse.observation.completion_start_time": '"not a date"' }).timeToFirstTokenMs).toBeNull();
  });

  it("unusable usage or cost refuses the span, saying which value is wrong", () => {
    expect(mapped({ "langfuse.observation.usage_details": '{"input":1.5}' })).toEqual({
      ok: false,
      reason: "langfuse.observation.usage_details: input must be a whole number from 0 to 2147483647, not 1.5",
    });
    expect(mapped({ "langfuse.observation.usage_details": "[1,2]" })).toMatchObject({ ok: false, reason: expect.stringContaining("JSON object") });
    expect(mapped({ "langfuse.observation.cost_details": '{"total":-1}' })).toMatchObject({ ok: false, reason: expect.stringContaining("total must be an amount in USD ≥ 0") });
  });
});

describe("Langfuse usage_details in the token columns", () => {
  it("Langfuse's own usage types: every input-side type is a prompt token, cache reads and writes apart", () => {
    expect(usage({ input: 80, input_cached_tokens: 20, output: 40, output_reasoning_tokens: 10 })).toEqual({
      ok: true,
      value: { promptTokens: 100, completionTokens: 50, cachedTokens: 20, cacheWriteTokens: null, totalTokens: 150 },
    });
    expect(usage({ input: 10, output: 5, total: 99 })).toMatchObject({ value: { promptTokens: 10, completionTokens: 5, totalTokens: 99 } });
  });

  it("Anthropic's usage: cache reads and writes are input tokens beside input_tokens", () => {
    expect(usage({ input_tokens: 100, cache_read_input_tokens: 20, cache_creation_input_tokens: 30, output_tokens: 50 })).toEqual({
      ok: true,
      value: { promptTokens: 150, completionTokens: 50, cachedTokens: 20, cacheWriteTokens: 30, totalTokens: 200 },
    });
  });

  it("OpenAI's usage objects as they are: cached tokens are part of the prompt tokens, never added to them", () => {
    expect(usage({ prompt_tokens: 500, completion_tokens: 100, total_tokens: 600, prompt_tokens_details: { cached_tokens: 100 } })).toEqual({
      ok: true,
      value: { promptTokens: 500, completionTokens: 100, cachedTokens: 100, cacheWriteTokens: null, totalTokens: 600 },
    });
    expect(usage({ input_tokens: 70, output_tokens: 30, total_tokens: 100, input_tokens_details: { cached_tokens: 7 }, output_tokens_details: { reasoning_tokens: 20 } })).toEqual({
      ok: true,
      value: { promptTokens: 70, completionTokens: 30, cachedTokens: 7, cacheWriteTokens: null, totalTokens: 100 },
    });
  });

  it("the camelCase names of Langfuse's older SDKs; text values are not counts", () => {
    expect(usage({ promptTokens: 12, completionTokens: 3, totalTokens: 15, unit: "TOKENS" })).toMatchObject({
      value: { promptTokens: 12, completionTokens: 3, totalTokens: 15 },
    });
  });

  it("no usage_details: nothing read (other conventions decide)", () => {
    expect(readLangfuseUsage(attributes({}))).toBeUndefined();
    expect(record({ "gen_ai.usage.input_tokens": 5 }).promptTokens).toBe(5);
  });

  it("sums the database cannot hold refuse the span", () => {
    expect(usage({ input: 2_000_000_000, input_cached_tokens: 2_000_000_000 })).toMatchObject({ ok: false, reason: expect.stringContaining("the input (summed)") });
  });
});

describe("Langfuse cost_details in USD", () => {
  it("total when given (or totalCost, as the JS SDK documents it), else the sum of the parts; text is skipped", () => {
    expect(cost({ input: 1, output: 2, total: 2.5 })).toEqual({ ok: true, value: 2.5 });
    expect(cost({ totalCost: 0.025, currency: "USD" })).toEqual({ ok: true, value: 0.025 });
    expect(cost({ input: 0.1, output: 0.2 })).toEqual({ ok: true, value: 0.3 });
  });

  it("no cost, or no amount in it: undefined, so the table prices the call", () => {
    expect(readLangfuseCost(attributes({}))).toBeUndefined();
    expect(cost({ currency: "USD" })).toBeUndefined();
  });
});
