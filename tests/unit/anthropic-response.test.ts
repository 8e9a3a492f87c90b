import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readProviderExchange } from "@/lib/ingest/providers";
import { readAnthropicExchange } from "@/lib/ingest/providers/anthropic-response";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/providers/${name}`, import.meta.url), "utf8");
const SSE = "text/event-stream; charset=utf-8";

const weatherRequest = JSON.stringify({
  model: "claude-sonnet-4-5",
  max_tokens: 1024,
  stream: true,
  tools: [
    {
      name: "get_weather",
      description: "Get the current weather in a given location",
      input_schema: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
    },
  ],
  messages: [{ role: "user", content: "What is the weather like in San Francisco?" }],
});

function read(responseBody: string | object | null, options: { requestBody?: string | null; contentType?: string | null } = {}) {
  return readAnthropicExchange({
    path: "/v1/messages",
    requestBody: options.requestBody === undefined ? weatherRequest : options.requestBody,
    responseBody,
    responseContentType: options.contentType === undefined ? "application/json" : options.contentType,
  });
}

const event = (data: object) => `event: ${(data as { type: string }).type}\ndata: ${JSON.stringify(data)}\n\n`;

/** A text-only message stream as Anthropic sends it, one text_delta per piece. */
function textStream(pieces: string[]): string {
  return [
    event({
      type: "message_start",
      message: {
        id: "msg_01",
        type: "message",
        role: "assistant",
        model: "claude-3-opus-20240229",
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 25, output_tokens: 1 },
      },
    }),
    event({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
    ...pieces.map((text) => event({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } })),
    event({ type: "content_block_stop", index: 0 }),
    event({ type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 15 } }),
    event({ type: "message_stop" }),
  ].join("");
}

describe("readAnthropicExchange – streams", () => {
  it("stores a stream with a tool call as the Message the API would have returned", () => {
    const result = read(fixture("anthropic-stream-tool-use.sse"), { contentType: SSE });

    expect(result.stream).toBe(true);
    expect(result.model).toBe("claude-sonnet-4-5-20250929");
    expect(JSON.parse(result.storedResponseBody!)).toEqual({
      id: "msg_014p7gG3wDgGV9EUtLvnow3U",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5-20250929",
      content: [
        { type: "text", text: "Okay, let's check the weather for San Francisco, CA:" },
        { type: "tool_use", id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather", input: { location: "San Francisco, CA", unit: "fahrenheit" } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 472, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 89, service_tier: "standard" },
    });
    // input tokens come from message_start, output tokens from message_delta
    expect(result.usage).toEqual({
      promptTokens: 472,
      completionTokens: 89,
      cachedTokens: 0,
      totalTokens: 561,
      cacheWriteTokens: 0,
      estimated: false,
    });
  });

  it("takes message_delta's cumulative counters over message_start's", () => {
    const body = textStream(["Searching."]).replace(
      '"usage":{"output_tokens":15}',
      '"usage":{"input_tokens":10682,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":510,"server_tool_use":{"web_search_requests":1}}',
    );
    expect(read(body, { contentType: SSE }).usage).toMatchObject({ promptTokens: 10682, completionTokens: 510, estimated: false });
  });

  it("keeps what arrived of a cut-off stream, counting the output it never reported", () => {
    const full = fixture("anthropic-stream-tool-use.sse");
    const cut = full.slice(0, full.indexOf('" Francisc"') + 5);

    const result = read(cut, { contentType: SSE });
    const stored = JSON.parse(result.storedResponseBody!);

    expect(stored.stop_reason).toBeNull();
    expect(stored.content[0].text).toBe("Okay, let's check the weather for San Francisco, CA:");
    // the tool input's JSON was cut off, so it is kept as the raw text that arrived
    expect(stored.content[1]).toMatchObject({ type: "tool_use", name: "get_weather", input: '{"location": "San' });
    expect(result.usage.promptTokens).toBe(472);
    expect(result.usage.completionTokens).toBeGreaterThan(2);
    expect(result.usage.estimated).toBe(true);
  });

  it("reassembles exactly the streamed text however it was split into deltas", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary", maxLength: 40 }), { maxLength: 15 }), (pieces) => {
        const result = read(textStream(pieces), { contentType: SSE });
        expect(JSON.parse(result.storedResponseBody!).content[0].text).toBe(pieces.join(""));
      }),
    );
  });

  it("never throws, wherever a stream is cut", () => {
    const body = fixture("anthropic-stream-tool-use.sse");
    fc.assert(
      fc.property(fc.nat(), (cut) => {
        expect(read(body.slice(0, cut % (body.length + 1)), { contentType: SSE }).stream).toBe(true);
      }),
    );
  });

  it("assembles thinking blocks with their signature", () => {
    const body = [
      event({
        type: "message_start",
        message: { id: "msg_02", type: "message", role: "assistant", model: "claude-sonnet-4-5", content: [], stop_reason: null, usage: { input_tokens: 40, output_tokens: 3 } },
      }),
      event({ type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } }),
      event({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Let me solve this step by step:\n\n1. " } }),
      event({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "27 * 453 = 12231" } }),
      event({ type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pk" } }),
      event({ type: "content_block_stop", index: 0 }),
      event({ type: "content_block_start", index: 1, content_block: { type: "text", text: "" } }),
      event({ type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "27 * 453 = 12,231" } }),
      event({ type: "content_block_stop", index: 1 }),
      event({ type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 120 } }),
      event({ type: "message_stop" }),
    ].join("");

    const stored = JSON.parse(read(body, { contentType: SSE }).storedResponseBody!);

    expect(stored.content).toEqual([
      { type: "thinking", thinking: "Let me solve this step by step:\n\n1. 27 * 453 = 12231", signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pk" },
      { type: "text", text: "27 * 453 = 12,231" },
    ]);
  });

  it("keeps an error event that ended the stream", () => {
    const body = textStream(["Once upon"]).split("event: message_delta")[0] + event({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    const stored = JSON.parse(read(body, { contentType: SSE }).storedResponseBody!);
    expect(stored.content[0].text).toBe("Once upon");
    expect(stored.error).toEqual({ type: "overloaded_error", message: "Overloaded" });
  });
});

describe("readAnthropicExchange – JSON bodies", () => {
  const message = (usage: object) =>
    JSON.stringify({
      id: "msg_01XFDUDYJgAACzvnptvVoYEL",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5-20250929",
      content: [{ type: "text", text: "Hello!" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage,
    });

  it("counts cache writes into prompt tokens and reports them apart for pricing", () => {
    const result = read(
      message({
        input_tokens: 21,
        cache_creation_input_tokens: 188086,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 188086, ephemeral_1h_input_tokens: 0 },
        output_tokens: 393,
        service_tier: "standard",
      }),
    );
    expect(result.usage).toEqual({
      promptTokens: 188107,
      completionTokens: 393,
      cachedTokens: 0,
      totalTokens: 188500,
      cacheWriteTokens: 188086,
      estimated: false,
    });
  });

  it("counts cache reads into prompt tokens and as cached tokens", () => {
    const result = read(message({ input_tokens: 21, cache_creation_input_tokens: 0, cache_read_input_tokens: 188086, output_tokens: 393 }));
    expect(result.usage).toEqual({
      promptTokens: 188107,
      completionTokens: 393,
      cachedTokens: 188086,
      totalTokens: 188500,
      cacheWriteTokens: 0,
      estimated: false,
    });
    expect(result.model).toBe("claude-sonnet-4-5-20250929");
    expect(result.stream).toBe(false);
  });

  it("reads usage without cache fields from older responses", () => {
    expect(read(message({ input_tokens: 12, output_tokens: 6 })).usage).toEqual({
      promptTokens: 12,
      completionTokens: 6,
      cachedTokens: null,
      totalTokens: 18,
      cacheWriteTokens: null,
      estimated: false,
    });
  });

  it("reports no usage for an error response, so nothing is billed", () => {
    const body = JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" }, request_id: "req_011CSHoEeqs5C35K2UUqR7Fy" });
    const result = read(body);
    expect(result).toMatchObject({ model: "claude-sonnet-4-5", storedResponseBody: body, usage: { promptTokens: null, completionTokens: null, estimated: false } });
  });

  it("never throws on a body that is not JSON or is empty", () => {
    expect(read("upstream connect error or disconnect/reset before headers").storedResponseBody).toBe("upstream connect error or disconnect/reset before headers");
    expect(read("", { requestBody: "{not json" })).toMatchObject({ model: null, storedResponseBody: null, usage: { promptTokens: null } });
    expect(read("event: message_start\ndata: {\"type\":\"message_st", { contentType: SSE }).usage.promptTokens).toBeNull();
  });

  it("estimates a logged message that carries no usage", () => {
    const logged = { type: "message", role: "assistant", model: "claude-3-opus-20240229", content: [{ type: "text", text: "Hello!" }] };
    const result = read(logged, { requestBody: JSON.stringify({ model: "claude-3-opus-20240229", messages: [{ role: "user", content: "Hi" }] }) });
    expect(result.model).toBe("claude-3-opus-20240229");
    expect(result.usage).toMatchObject({ completionTokens: 2, estimated: true });
    expect(result.usage.promptTokens).toBeGreaterThan(0);
  });
});

describe("readProviderExchange", () => {
  it("reads an Anthropic-shaped body logged under another provider name as Anthropic", () => {
    const responseBody = JSON.parse(fixture("anthropic-stream-tool-use.sse").split("\n")[1]!.slice("data: ".length)).message;
    responseBody.usage = { input_tokens: 472, cache_read_input_tokens: 100, output_tokens: 89 };
    const result = readProviderExchange("bedrock", { path: "", requestBody: null, responseBody, responseContentType: null });
    expect(result.model).toBe("claude-sonnet-4-5-20250929");
    expect(result.usage).toMatchObject({ promptTokens: 572, cachedTokens: 100, completionTokens: 89 });
  });

  it("reads an Anthropic stream logged under another provider name as Anthropic", () => {
    const result = readProviderExchange("vertex", { path: "", requestBody: null, responseBody: fixture("anthropic-stream-tool-use.sse"), responseContentType: null });
    expect(result).toMatchObject({ stream: true, usage: { promptTokens: 472, completionTokens: 89 } });
  });
});
