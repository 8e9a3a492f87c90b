import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { priceUsage } from "@/lib/domain/cost";
import type { LoggedRequest } from "@/lib/domain/logged-request";
import { keyValuesToAttributes } from "@/lib/ingest/otlp/any-value";
import { emptyAttributes, type AttributeValue, type Attributes, type OtlpEvent, type OtlpSpan } from "@/lib/ingest/otlp/otlp-span";
import { timeOrderedId } from "@/lib/ingest/otlp/record-id";
import { exportToLoggedRequests, spanContext, spanToLoggedRequest, type SpanMapping } from "@/lib/ingest/otlp/span-to-record";

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

function attributes(values: Record<string, AttributeValue> = {}): Attributes {
  return Object.assign(emptyAttributes(), values);
}

function span(overrides: Partial<OtlpSpan> & { attrs?: Record<string, AttributeValue> } = {}): OtlpSpan {
  const { attrs, ...rest } = overrides;
  return {
    traceId: TRACE_ID,
    spanId: "00f067aa0ba902b7",
    parentSpanId: "",
    name: "step",
    kind: 1,
    startMs: NOW - 1000.25,
    endMs: NOW - 500,
    attributes: attributes(attrs),
    events: [],
    statusCode: 0,
    statusMessage: "",
    ...rest,
  };
}

function map(input: OtlpSpan, resource: Record<string, AttributeValue> = {}): SpanMapping {
  return spanToLoggedRequest(input, spanContext("org", NOW, attributes(resource), { name: "test", version: "1" }));
}

function record(input: OtlpSpan, resource: Record<string, AttributeValue> = {}): LoggedRequest {
  const mapped = map(input, resource);
  if (!mapped.ok) throw new Error(`span was rejected: ${mapped.reason}`);
  return mapped.record;
}

const body = (text: string | null) => (text === null ? null : JSON.parse(text));
const event = (name: string, values: Record<string, AttributeValue>): OtlpEvent => ({ name, timeMs: NOW - 700, attributes: attributes(values) });

describe("an OTLP span as a logged request", () => {
  it("places a span in its trace by its own ids: node = span id, parent = parent span id", () => {
    const child = record(span({ parentSpanId: "b7ad6b7169203331" }));
    expect(child).toMatchObject({ source: "otel", traceId: TRACE_ID, nodeId: "00f067aa0ba902b7", parentNodeId: "b7ad6b7169203331", traceError: null });
    expect(record(span()).parentNodeId).toBeNull();
    expect(record(span({ parentSpanId: "0000000000000000" })).parentNodeId).toBeNull();
  });

  it("keeps the span's timing: start and end to the millisecond, latency to the microsecond", () => {
    const r = record(span());
    expect(r.startTime.getTime()).toBe(Math.floor(NOW - 1000.25));
    expect(r.endTime.getTime()).toBe(NOW - 500);
    expect(r.latencyMs).toBe(500.25);
  });

  it("names the request after the span: path = span name, method = span kind", () => {
    expect(record(span({ name: "tool.search", kind: 3 }))).toMatchObject({ path: "tool.search", method: "CLIENT" });
    expect(record(span({ kind: 99 })).method).toBe("UNSPECIFIED");
  });

  it("a span that is not an LLM call is a node that cost nothing (0, not unknown)", () => {
    expect(record(span({ attrs: { "tool.name": "search" } }))).toMatchObject({
      provider: "otel",
      model: null,
      promptTokens: null,
      costUsd: 0,
      costUnknown: false,
      status: 200,
    });
  });

  it("a span with error status is a failed node, with the status message as its reason", () => {
    expect(record(span({ statusCode: 2, statusMessage: "tool timed out" }))).toMatchObject({ status: 500, errorReason: "tool timed out" });
    const withException = span({ statusCode: 2, events: [event("exception", { "exception.message": "ECONNRESET" })] });
    expect(record(withException).errorReason).toBe("ECONNRESET");
    expect(record(span({ statusCode: 2 })).errorReason).toBe("span status ERROR");
    expect(record(span({ statusCode: 1 }))).toMatchObject({ status: 200, errorReason: null });
  });

  describe("LLM spans, whatever convention they follow, become the same request fields", () => {
    const gpt4oMiniCost = (prompt: number, completion: number) =>
      priceUsage({ provider: "openai", model: "gpt-4o-mini", usage: { promptTokens: prompt, completionTokens: completion, cachedTokens: null, totalTokens: null } });

    it("GenAI semantic conventions (OpenLLMetry): provider, model, tokens, cost, prompt and completion", () => {
      const r = record(
        span({
          attrs: {
            "gen_ai.system": "OpenAI",
            "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.usage.input_tokens": 1200,
            "gen_ai.usage.output_tokens": 300,
            "gen_ai.prompt.0.role": "system",
            "gen_ai.prompt.0.content": "Be brief.",
            "gen_ai.prompt.1.role": "user",
            "gen_ai.prompt.1.content": "Plan a trip",
            "gen_ai.completion.0.role": "assistant",
            "gen_ai.completion.0.content": "Day 1: …",
            "llm.request.type": "chat",
          },
        }),
      );
      expect(r).toMatchObject({ provider: "openai", model: "gpt-4o-mini", promptTokens: 1200, completionTokens: 300, totalTokens: 1500, costUnknown: false });
      expect(r.costUsd).toBeGreaterThan(0);
      expect(r.costUsd).toBe(gpt4oMiniCost(1200, 300).costUsd);
      const request = body(r.requestBody);
      expect(request.input).toEqual([
        { role: "system", content: "Be brief." },
        { role: "user", content: "Plan a trip" },
      ]);
      // The prompt is stored once: the attributes it came from are left out.
      expect(request.attributes).toEqual({ "gen_ai.system": "OpenAI", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 1200, "gen_ai.usage.output_tokens": 300, "llm.request.type": "chat" });
      expect(body(r.responseBody)).toEqual({ output: [{ role: "assistant", content: "Day 1: …" }] });
    });

    it("the stored body is { input, attributes, events, span, resource, scope }", () => {
      const r = record(span({ parentSpanId: "b7ad6b7169203331", attrs: { "gen_ai.prompt": "Hi", k: 1 } }), { "service.name": "agent" });
      expect(body(r.requestBody)).toEqual({
        input: "Hi",
        attributes: { k: 1 },
        events: [],
        span: { traceId: TRACE_ID, spanId: "00f067aa0ba902b7", parentSpanId: "b7ad6b7169203331" },
        resource: { "service.name": "agent" },
        scope: { name: "test", version: "1" },
      });
    });

    it("prefers the response model (the version billed) and accepts the legacy token names", () => {
      const r = record(
        span({
          attrs: {
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
            "gen_ai.usage.prompt_tokens": "100",
            "gen_ai.usage.completion_tokens": 20,
          },
        }),
      );
      expect(r).toMatchObject({ model: "gpt-4o-mini-2024-07-18", promptTokens: 100, completionTokens: 20, costUnknown: false });
    });

    it("OpenInference: llm.* names, input/output messages, session and user", () => {
      const r = record(
        span({
          attrs: {
            "openinference.span.kind": "LLM",
            "llm.provider": "anthropic",
            "llm.model_name": "claude-sonnet-4-5",
            "llm.token_count.prompt": 2000,
            "llm.token_count.completion": 500,
            "llm.token_count.prompt_details.cache_read": 1000,
            "llm.input_messages.0.message.role": "user",
            "llm.input_messages.0.message.content": "Summarise",
            "llm.output_messages.0.message.role": "assistant",
            "llm.output_messages.0.message.content": "Summary",
            "session.id": "chat-7",
            "user.id": "ana",
          },
        }),
      );
      expect(r).toMatchObject({ provider: "anthropic", model: "claude-sonnet-4-5", promptTokens: 2000, completionTokens: 500, cachedTokens: 1000, sessionId: "chat-7", userId: "ana" });
      expect(r.costUsd).toBe(
        priceUsage({ provider: "anthropic", model: "claude-sonnet-4-5", usage: { promptTokens: 2000, completionTokens: 500, cachedTokens: 1000, totalTokens: 2500 } }).costUsd,
      );
      expect(body(r.requestBody).input).toEqual([{ role: "user", content: "Summarise" }]);
      expect(body(r.responseBody).output).toEqual([{ role: "assistant", content: "Summary" }]);
    });

    it("OpenInference chains and retrievers keep input.value / output.value, parsed when JSON", () => {
      const r = record(span({ attrs: { "openinference.span.kind": "RETRIEVER", "input.value": '{"query":"tokyo"}', "output.value": "3 documents" } }));
      expect(r.provider).toBe("otel");
      expect(body(r.requestBody).input).toEqual({ query: "tokyo" });
      expect(body(r.responseBody).output).toBe("3 documents");
    });

    it("Vercel AI SDK: the provider call is priced, the operation wrapping it is not (no double count)", () => {
      const call = record(
        span({
          attrs: {
            "ai.operationId": "ai.generateText.doGenerate",
            "ai.model.provider": "openai.chat",
            "ai.model.id": "gpt-4o-mini",
            "gen_ai.system": "openai.chat",
            "ai.usage.promptTokens": 1200,
            "ai.usage.completionTokens": 300,
            "ai.prompt.messages": '[{"role":"user","content":[{"type":"text","text":"Hi"}]}]',
            "ai.response.text": "Hello!",
          },
        }),
      );
      expect(call).toMatchObject({ provider: "openai", model: "gpt-4o-mini", promptTokens: 1200, completionTokens: 300, stream: false });
      expect(call.costUsd).toBe(gpt4oMiniCost(1200, 300).costUsd);
      expect(body(call.requestBody).input).toEqual([{ role: "user", content: [{ type: "text", text: "Hi" }] }]);
      expect(body(call.responseBody).output).toEqual({ text: "Hello!" });

      const wrapper = record(
        span({ attrs: { "ai.operationId": "ai.generateText", "ai.model.id": "gpt-4o-mini", "ai.model.provider": "openai.chat", "ai.usage.promptTokens": 1200 } }),
      );
      expect(wrapper).toMatchObject({ provider: "otel", model: null, promptTokens: null, costUsd: 0, costUnknown: false });
    });

    it("Vercel AI SDK streams: stream flag and time to first chunk", () => {
      const r = record(
        span({ attrs: { "ai.operationId": "ai.streamText.doStream", "ai.model.id": "gpt-4o-mini", "ai.model.provider": "openai.chat", "ai.response.msToFirstChunk": 212.5, "ai.usage.inputTokens": 10, "ai.usage.outputTokens": 5 } }),
      );
      expect(r).toMatchObject({ stream: true, timeToFirstTokenMs: 212.5, promptTokens: 10, completionTokens: 5 });
    });

    it("prompts and completions sent as span events (older GenAI conventions)", () => {
      const viaContentEvents = record(
        span({
          attrs: { "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini" },
          events: [event("gen_ai.content.prompt", { "gen_ai.prompt": '[{"role":"user","content":"Hi"}]' }), event("gen_ai.content.completion", { "gen_ai.completion": '[{"role":"assistant","content":"Hey"}]' }), event("retry", { attempt: 2 })],
        }),
      );
      expect(body(viaContentEvents.requestBody)).toMatchObject({ input: [{ role: "user", content: "Hi" }], events: [{ name: "retry", attributes: { attempt: 2 } }] });
      expect(body(viaContentEvents.responseBody).output).toEqual([{ role: "assistant", content: "Hey" }]);

      const viaMessageEvents = record(
        span({ events: [event("gen_ai.system.message", { content: "Be brief." }), event("gen_ai.user.message", { content: "Hi" }), event("gen_ai.choice", { index: 0, message: '{"content":"Hey"}' })] }),
      );
      expect(body(viaMessageEvents.requestBody).input).toEqual([
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
      ]);
      expect(body(viaMessageEvents.responseBody).output).toEqual([{ index: 0, message: { content: "Hey" } }]);
    });

    it("tokens without a model the price table knows: the cost is unknown, never a silent 0", () => {
      expect(record(span({ attrs: { "gen_ai.request.model": "my-finetune-7", "gen_ai.usage.input_tokens": 10 } }))).toMatchObject({ costUsd: null, costUnknown: true });
    });
  });

  describe("Helicone's headers as attributes", () => {
    it("a Helicone node id (any spelling) places the span by its path instead of its span ids", () => {
      for (const name of ["helicone.node_id", "helicone.node.id", "Helicone-Node-Id", "HELICONE_NODE_ID"]) {
        expect(record(span({ parentSpanId: "b7ad6b7169203331", attrs: { [name]: "agent-1:plan:search" } }))).toMatchObject({
          traceId: "agent-1",
          nodeId: "agent-1:plan:search",
          parentNodeId: "agent-1:plan",
        });
      }
    });

    it("a node id on the resource applies to its spans; one on the span wins", () => {
      expect(record(span(), { "helicone.node_id": "run-9" })).toMatchObject({ traceId: "run-9", nodeId: "run-9" });
      expect(record(span({ attrs: { "helicone.node_id": "run-9:step" } }), { "helicone.node_id": "run-9" }).nodeId).toBe("run-9:step");
    });

    it("an invalid node id is reported, and the span keeps its own place in its trace", () => {
      const r = record(span({ attrs: { "helicone.node_id": "a::b" } }));
      expect(r).toMatchObject({ traceId: TRACE_ID, nodeId: "00f067aa0ba902b7" });
      expect(r.traceError).toContain("empty segment");
    });

    it("properties, session and user: Helicone names first, then the common conventions", () => {
      const r = record(
        span({ attrs: { "helicone.property.Step": "planning", "Helicone-Property-Iteration": 2, "helicone.session.id": "s-1", "session.id": "ignored", "enduser.id": "bob" } }),
        { "helicone.property.env": "prod", "helicone.user.id": "from-resource", "helicone.session.name": "Trip" },
      );
      expect(r.properties).toEqual({ step: "planning", iteration: "2", env: "prod" });
      expect(r).toMatchObject({ sessionId: "s-1", sessionName: "Trip", userId: "from-resource" });
      expect(record(span({ attrs: { "gen_ai.conversation.id": "conv-3", "enduser.id": "bob" } }))).toMatchObject({ sessionId: "conv-3", userId: "bob" });
    });
  });

  describe("invalid spans are refused with a reason, never stored half-right", () => {
    it.each<[string, Partial<OtlpSpan> & { attrs?: Record<string, AttributeValue> }, string]>([
      ["a trace id of the wrong length", { traceId: "4bf92f35" }, "traceId must be 16 bytes"],
      ["a base64 trace id", { traceId: "S/kvNXezTaajzpKdDg5HNg==" }, "not base64"],
      ["an all-zero trace id", { traceId: "0".repeat(32) }, "not all zero"],
      ["a span id of the wrong length", { spanId: "00f067aa0ba902" }, "spanId must be 8 bytes"],
      ["an all-zero span id", { spanId: "0".repeat(16) }, "spanId"],
      ["a parent span id of the wrong length", { parentSpanId: "abc" }, "parentSpanId"],
      ["no start time", { startMs: Number.NaN }, "required"],
      ["an end before its start", { endMs: NOW - 2000 }, "before startTimeUnixNano"],
      ["seconds sent where nanoseconds belong", { startMs: 1_767_225_600 / 1e6, endMs: 1_767_225_601 / 1e6 }, "before the year 2000"],
      ["an end days in the future", { endMs: NOW + 3 * 86_400_000 }, "in the future"],
      ["a fractional token count", { attrs: { "gen_ai.usage.input_tokens": 1.5 } }, "gen_ai.usage.input_tokens must be a whole number"],
      ["a token count PostgreSQL cannot hold", { attrs: { "llm.token_count.prompt": 2 ** 31 } }, "llm.token_count.prompt"],
    ])("%s", (_, overrides, reason) => {
      const mapped = map(span(overrides));
      expect(mapped.ok).toBe(false);
      if (!mapped.ok) expect(mapped.reason).toContain(reason);
    });

    it("a batch keeps its valid spans and lists the rejected ones by span id", () => {
      const decoded = {
        rejected: [{ span: "#3", reason: "traceId: expected string" }],
        resourceSpans: [{ resource: attributes(), scopeSpans: [{ scope: { name: "", version: "" }, spans: [span(), span({ spanId: "bad" })] }] }],
      };
      const { records, rejected } = exportToLoggedRequests(decoded, "org", NOW);
      expect(records).toHaveLength(1);
      expect(rejected).toEqual([
        { span: "#3", reason: "traceId: expected string" },
        { span: "bad", reason: expect.stringContaining("spanId") },
      ]);
    });
  });

  it("never throws on random attributes, and stores them all as JSON", () => {
    const value: fc.Arbitrary<AttributeValue> = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }));
    const key = fc.oneof(
      fc.string(),
      fc.constantFrom("gen_ai.usage.input_tokens", "gen_ai.request.model", "gen_ai.prompt.0.content", "helicone.node_id", "helicone.property.x", "ai.operationId", "__proto__", "session.id", "llm.input_messages.1.message.role"),
    );
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 12 }), fc.dictionary(key, value, { maxKeys: 4 }), (spanAttributes, resourceAttributes) => {
        const mapped = map(span({ attrs: spanAttributes }), resourceAttributes);
        if (mapped.ok) expect(JSON.parse(mapped.record.requestBody!)).toHaveProperty("attributes");
        else expect(mapped.reason).toMatch(/must be a whole number/);
      }),
    );
  });

  it("attribute maps decoded from the wire map the same way as ones built here", () => {
    const wire = keyValuesToAttributes([{ key: "gen_ai.request.model", value: { stringValue: "gpt-4o-mini" } }, { key: "gen_ai.usage.input_tokens", value: { intValue: { low: 7, high: 0 } } }]);
    expect(record(span({ attributes: wire }))).toMatchObject({ model: "gpt-4o-mini", promptTokens: 7 });
  });
});

describe("record ids", () => {
  it("are UUIDv7: unique, and ordered by the time they were made", () => {
    const ids = Array.from({ length: 1000 }, (_, i) => timeOrderedId(NOW + i));
    expect(new Set(ids).size).toBe(1000);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(ids[0]!.replaceAll("-", "").slice(0, 12), 16)).toBe(NOW);
  });
});
