import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readProviderExchange } from "@/lib/ingest/providers";
import { readOpenAiExchange } from "@/lib/ingest/providers/openai-response";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/providers/${name}`, import.meta.url), "utf8");
const SSE = "text/event-stream; charset=utf-8";
const JSON_TYPE = "application/json";

const chatRequest = JSON.stringify({
  model: "gpt-4o-mini",
  stream: true,
  messages: [
    { role: "system", content: "You are a helpful assistant." },
    { role: "user", content: "Hello!" },
  ],
});

function read(responseBody: string | object | null, options: { requestBody?: string; contentType?: string | null; path?: string } = {}) {
  return readOpenAiExchange({
    path: options.path ?? "/v1/chat/completions",
    requestBody: options.requestBody ?? chatRequest,
    responseBody,
    responseContentType: options.contentType === undefined ? JSON_TYPE : options.contentType,
  });
}

/** A chat completion stream as OpenAI sends it: a role chunk, one chunk per piece, a finish chunk, [DONE]. */
function chatStream(pieces: string[]): string {
  const chunk = (delta: object, finishReason: string | null) =>
    `data: ${JSON.stringify({
      id: "chatcmpl-1",
      object: "chat.completion.chunk",
      created: 1741569952,
      model: "gpt-4o-mini-2024-07-18",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    })}\n\n`;
  return [
    chunk({ role: "assistant", content: "", refusal: null }, null),
    ...pieces.map((piece) => chunk({ content: piece }, null)),
    chunk({}, "stop"),
    "data: [DONE]\n\n",
  ].join("");
}

describe("readOpenAiExchange – chat completion streams", () => {
  it("stores a stream with a usage chunk as the chat.completion the API would have returned", () => {
    const result = read(fixture("openai-chat-stream-with-usage.sse"), { contentType: SSE });

    expect(result.stream).toBe(true);
    expect(result.model).toBe("gpt-4o-mini-2024-07-18");
    expect(JSON.parse(result.storedResponseBody!)).toEqual({
      id: "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
      object: "chat.completion",
      created: 1741569952,
      model: "gpt-4o-mini-2024-07-18",
      system_fingerprint: "fp_06737a9306",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "Hello! How can I help you today?", refusal: null },
          finish_reason: "stop",
        },
      ],
      usage: {
        prompt_tokens: 1117,
        completion_tokens: 9,
        total_tokens: 1126,
        prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      },
    });
    expect(result.usage).toEqual({
      promptTokens: 1117,
      completionTokens: 9,
      cachedTokens: 1024,
      totalTokens: 1126,
      cacheWriteTokens: null,
      estimated: false,
    });
  });

  it("counts tokens locally and marks them estimated when the stream has no usage chunk", () => {
    const result = read(chatStream(["Hello", "!", " How", " can", " I", " help", " you", " today", "?"]), { contentType: SSE });

    // The counts OpenAI itself reports for this exchange: 19 prompt tokens (two messages with
    // their per-message overhead and reply priming) and 9 completion tokens.
    expect(result.usage).toEqual({
      promptTokens: 19,
      completionTokens: 9,
      cachedTokens: null,
      totalTokens: 28,
      cacheWriteTokens: null,
      estimated: true,
    });
  });

  it("assembles tool calls streamed in pieces by their index", () => {
    const requestBody = JSON.stringify({
      model: "gpt-4o",
      stream: true,
      messages: [{ role: "user", content: "What's the weather like in Paris and Tokyo today?" }],
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            description: "Get current temperature for a given location.",
            parameters: {
              type: "object",
              properties: { location: { type: "string", description: "City and country e.g. Bogotá, Colombia" } },
              required: ["location"],
              additionalProperties: false,
            },
            strict: true,
          },
        },
      ],
    });
    const result = read(fixture("openai-chat-stream-tool-calls.sse"), { contentType: SSE, requestBody });
    const stored = JSON.parse(result.storedResponseBody!);

    expect(stored.choices).toEqual([
      {
        index: 0,
        message: {
          role: "assistant",
          content: null,
          refusal: null,
          tool_calls: [
            { id: "call_DdmO9pD3xa9XTPNJ32zg2hcA", type: "function", function: { name: "get_weather", arguments: '{"location": "Paris, France"}' } },
            { id: "call_Xq5V2cLwB7nH1mR8tY3kJ9aE", type: "function", function: { name: "get_weather", arguments: '{"location": "Tokyo, Japan"}' } },
          ],
        },
        finish_reason: "tool_calls",
      },
    ]);
    expect(result.model).toBe("gpt-4o-2024-08-06");
    // no usage chunk: the prompt (with the tool definition) and the call arguments are counted
    expect(result.usage.estimated).toBe(true);
    expect(result.usage.promptTokens).toBeGreaterThan(40);
    expect(result.usage.completionTokens).toBeGreaterThan(10);
  });

  it("keeps what arrived of a stream the client cancelled mid-way", () => {
    const full = fixture("openai-chat-stream-with-usage.sse");
    const cut = full.slice(0, full.indexOf('"content":" you"') + 10);

    const result = read(cut, { contentType: SSE });
    const stored = JSON.parse(result.storedResponseBody!);

    expect(stored.choices[0].message.content).toBe("Hello! How can I help");
    expect(stored.choices[0].finish_reason).toBeNull();
    expect(stored.usage).toBeUndefined();
    expect(result.usage).toMatchObject({ promptTokens: 19, completionTokens: 6, estimated: true });
  });

  it("reassembles exactly the streamed text however it was split into chunks", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (text, cutPoints) => {
          const cuts = [...new Set(cutPoints.map((point) => point % (text.length + 1)))].sort((a, b) => a - b);
          const pieces = [0, ...cuts].map((start, i, starts) => text.slice(start, starts[i + 1] ?? text.length));
          const result = read(chatStream(pieces), { contentType: SSE });
          expect(JSON.parse(result.storedResponseBody!).choices[0].message.content).toBe(text);
        },
      ),
    );
  }, 20_000); // 100 runs, each counting tokens: ~5 s on a busy 2-core machine

  it("never throws, wherever a stream is cut", () => {
    const streams = ["openai-chat-stream-with-usage.sse", "openai-chat-stream-tool-calls.sse", "openai-responses-stream.sse"].map(fixture);
    fc.assert(
      fc.property(fc.constantFrom(...streams), fc.nat(), (body, cut) => {
        const result = read(body.slice(0, cut % (body.length + 1)), { contentType: SSE });
        expect(result.stream).toBe(true);
      }),
    );
  });

  it("recognises a stream by its body when the content type is missing", () => {
    const result = read(chatStream(["Hi"]), { contentType: null });
    expect(result.stream).toBe(true);
    expect(JSON.parse(result.storedResponseBody!).choices[0].message.content).toBe("Hi");
  });

  it("keeps an error that replaced the rest of a stream", () => {
    const body = `${chatStream(["Hel"]).replace("data: [DONE]\n\n", "")}data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}\n\n`;
    const stored = JSON.parse(read(body, { contentType: SSE }).storedResponseBody!);
    expect(stored.choices[0].message.content).toBe("Hel");
    expect(stored.error.type).toBe("server_error");
  });

  it("stores a stream that holds no chunk at all as it came, with no usage", () => {
    const result = read(": keep-alive\n\n", { contentType: SSE });
    expect(result).toMatchObject({ stream: true, model: "gpt-4o-mini", storedResponseBody: ": keep-alive\n\n" });
    expect(result.usage).toMatchObject({ promptTokens: null, completionTokens: null, estimated: false });
  });
});

describe("readOpenAiExchange – other streams", () => {
  it("concatenates the text of a streamed legacy completion", () => {
    const chunk = (text: string, finishReason: string | null) =>
      `data: {"id":"cmpl-9xJ3","object":"text_completion","created":1719000000,"choices":[{"text":${JSON.stringify(text)},"index":0,"logprobs":null,"finish_reason":${JSON.stringify(finishReason)}}],"model":"gpt-3.5-turbo-instruct"}\n\n`;
    const body = chunk("\n\nThis", null) + chunk(" is a", null) + chunk(" test.", null) + chunk("", "stop") + "data: [DONE]\n\n";
    const requestBody = JSON.stringify({ model: "gpt-3.5-turbo-instruct", prompt: "Say this is a test", stream: true });

    const result = read(body, { contentType: SSE, requestBody, path: "/v1/completions" });

    expect(JSON.parse(result.storedResponseBody!)).toMatchObject({
      object: "text_completion",
      model: "gpt-3.5-turbo-instruct",
      choices: [{ index: 0, text: "\n\nThis is a test.", finish_reason: "stop" }],
    });
    expect(result.usage).toMatchObject({ promptTokens: 5, estimated: true });
  });

  it("stores a streamed Responses API call as the response from response.completed", () => {
    const requestBody = JSON.stringify({ model: "gpt-4.1", instructions: "You are a helpful assistant.", input: "Hello!", stream: true });
    const result = read(fixture("openai-responses-stream.sse"), { contentType: SSE, requestBody, path: "/v1/responses" });
    const stored = JSON.parse(result.storedResponseBody!);

    expect(result.model).toBe("gpt-4.1-2025-04-14");
    expect(stored.status).toBe("completed");
    expect(stored.output[0].content[0].text).toBe("Hi there!");
    expect(result.usage).toEqual({
      promptTokens: 37,
      completionTokens: 11,
      cachedTokens: 0,
      totalTokens: 48,
      cacheWriteTokens: null,
      estimated: false,
    });
  });

  it("keeps the text of a Responses API stream cut off before response.completed", () => {
    const full = fixture("openai-responses-stream.sse");
    const cut = full.slice(0, full.indexOf("event: response.output_text.done"));
    const requestBody = JSON.stringify({ model: "gpt-4.1", instructions: "You are a helpful assistant.", input: "Hello!", stream: true });

    const result = read(cut, { contentType: SSE, requestBody, path: "/v1/responses" });
    const stored = JSON.parse(result.storedResponseBody!);

    expect(stored.status).toBe("in_progress");
    expect(stored.output[0].content[0].text).toBe("Hi there!");
    expect(result.usage).toMatchObject({ promptTokens: 19, completionTokens: 3, estimated: true });
  });
});

describe("readOpenAiExchange – JSON bodies", () => {
  it("reads a chat completion's model from the response and its cached prompt tokens", () => {
    const body = JSON.stringify({
      id: "chatcmpl-abc123",
      object: "chat.completion",
      created: 1741570283,
      model: "gpt-4o-2024-08-06",
      choices: [{ index: 0, message: { role: "assistant", content: "The capital of France is Paris.", refusal: null, annotations: [] }, logprobs: null, finish_reason: "stop" }],
      usage: {
        prompt_tokens: 2006,
        completion_tokens: 300,
        total_tokens: 2306,
        prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      },
      service_tier: "default",
      system_fingerprint: "fp_fc9f1d7035",
    });

    const result = read(body, { requestBody: JSON.stringify({ model: "gpt-4o", messages: [] }) });

    expect(result).toEqual({
      model: "gpt-4o-2024-08-06",
      stream: false,
      storedResponseBody: body,
      usage: { promptTokens: 2006, completionTokens: 300, cachedTokens: 1920, totalTokens: 2306, cacheWriteTokens: null, estimated: false },
    });
  });

  it("reads embeddings usage as prompt tokens only", () => {
    const body = JSON.stringify({
      object: "list",
      data: [{ object: "embedding", index: 0, embedding: [0.0023064255, -0.009327292, -0.0028842222] }],
      model: "text-embedding-3-small",
      usage: { prompt_tokens: 8, total_tokens: 8 },
    });
    const requestBody = JSON.stringify({ model: "text-embedding-3-small", input: "The food was delicious and the waiter..." });

    const result = read(body, { requestBody, path: "/v1/embeddings" });

    expect(result.model).toBe("text-embedding-3-small");
    expect(result.usage).toEqual({ promptTokens: 8, completionTokens: null, cachedTokens: null, totalTokens: 8, cacheWriteTokens: null, estimated: false });
  });

  it("reads Responses API usage from input and output tokens, with cached input", () => {
    const body = JSON.stringify({
      id: "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b",
      object: "response",
      created_at: 1741476542,
      status: "completed",
      model: "gpt-4.1-2025-04-14",
      output: [
        {
          type: "message",
          id: "msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b",
          status: "completed",
          role: "assistant",
          content: [{ type: "output_text", text: "In a peaceful grove beneath a silver moon...", annotations: [] }],
        },
      ],
      usage: { input_tokens: 1236, input_tokens_details: { cached_tokens: 1152 }, output_tokens: 125, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 1361 },
    });

    const result = read(body, { requestBody: JSON.stringify({ model: "gpt-4.1", input: "Tell me a story." }), path: "/v1/responses" });

    expect(result.usage).toEqual({ promptTokens: 1236, completionTokens: 125, cachedTokens: 1152, totalTokens: 1361, cacheWriteTokens: null, estimated: false });
  });

  it("never throws on a body that is not JSON, and takes the model from the request", () => {
    const body = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    const result = read(body, { contentType: "text/html" });
    expect(result).toEqual({
      model: "gpt-4o-mini",
      stream: false,
      storedResponseBody: body,
      usage: { promptTokens: null, completionTokens: null, cachedTokens: null, totalTokens: null, cacheWriteTokens: null, estimated: false },
    });
  });

  it("never throws on a truncated JSON body or empty bodies", () => {
    expect(read('{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini-2024-07-18","choices":[{"ind').usage.promptTokens).toBeNull();
    expect(read("", { requestBody: "" })).toEqual({
      model: null,
      stream: false,
      storedResponseBody: null,
      usage: { promptTokens: null, completionTokens: null, cachedTokens: null, totalTokens: null, cacheWriteTokens: null, estimated: false },
    });
  });

  it("reports no usage for an error response, so nothing is billed", () => {
    const body = JSON.stringify({
      error: { message: "Rate limit reached for gpt-4o-mini", type: "requests", param: null, code: "rate_limit_exceeded" },
    });
    const result = read(body);
    expect(result.usage).toMatchObject({ promptTokens: null, completionTokens: null, estimated: false });
    expect(result.storedResponseBody).toBe(body);
  });

  it("reports no usage for GET /v1/models", () => {
    const body = JSON.stringify({ object: "list", data: [{ id: "gpt-4o-mini", object: "model", created: 1721172741, owned_by: "system" }] });
    const result = read(body, { requestBody: "", path: "/v1/models" });
    expect(result).toMatchObject({ model: null, usage: { promptTokens: null, completionTokens: null, estimated: false } });
  });

  it("estimates a completion without usage from an OpenAI-compatible server", () => {
    const body = JSON.stringify({
      object: "chat.completion",
      model: "gpt-4o-mini",
      choices: [{ index: 0, message: { role: "assistant", content: "Hello! How can I help you today?" }, finish_reason: "stop" }],
    });
    expect(read(body).usage).toMatchObject({ promptTokens: 19, completionTokens: 9, totalTokens: 28, estimated: true });
  });

  it("still counts a prompt whose tool schema the counter cannot render", () => {
    const requestBody = JSON.stringify({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Hi" }],
      tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { id: null } } } }],
    });
    const result = read(chatStream(["Hello"]), { contentType: SSE, requestBody });
    expect(result.usage.promptTokens).toBeGreaterThan(8);
  });

  it("counts special-token text in a prompt as ordinary text", () => {
    const requestBody = JSON.stringify({ model: "gpt-4", messages: [{ role: "user", content: "What does <|endoftext|> mean?" }] });
    const result = read(chatStream(["A separator."]), { contentType: SSE, requestBody });
    expect(result.usage.promptTokens).toBeGreaterThan(10);
  });
});

describe("readProviderExchange", () => {
  it("reads an already-parsed custom-log body from any OpenAI-compatible provider", () => {
    const responseBody = {
      id: "chatcmpl-7",
      object: "chat.completion",
      model: "llama-3.1-8b-instant",
      choices: [{ index: 0, message: { role: "assistant", content: "Hi" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 },
    };
    const result = readProviderExchange("groq", { path: "/openai/v1/chat/completions", requestBody: null, responseBody, responseContentType: null });
    expect(result.model).toBe("llama-3.1-8b-instant");
    expect(result.usage).toMatchObject({ promptTokens: 12, completionTokens: 2, totalTokens: 14 });
    expect(JSON.parse(result.storedResponseBody!)).toEqual(responseBody);
  });
});
