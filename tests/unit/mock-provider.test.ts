import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MockProvider, startMockProvider } from "@/tests/mock-provider/server";

// The real SDKs are the judges of the wire format: if they parse it, so will the app's clients.
// Retries are off so an injected error reaches the assertion instead of being retried away.
let mock: MockProvider;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  mock = await startMockProvider();
  openai = new OpenAI({ apiKey: "sk-test", baseURL: `${mock.url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: "sk-ant-test", baseURL: mock.url, maxRetries: 0 });
});

afterAll(() => mock.close());

beforeEach(() => mock.clearRequests());

const question = "What is the capital of France?";
const chatBody = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: question }] };
const messageBody = { model: "claude-sonnet-4-6", max_tokens: 1024, messages: [{ role: "user" as const, content: question }] };
/** The default 16-token answer to `question`: prefix, the question's words, then filler. */
const expectedAnswer = "Mock answer to: What is the capital of France? lorem ipsum dolor sit amet consectetur adipiscing";
/** ceil(chars / 4), the mock's stated token count. */
const questionTokens = Math.ceil(question.length / 4);

describe("OpenAI chat completions", () => {
  it("answers deterministically from the last user message with consistent usage", async () => {
    const completion = await openai.chat.completions.create(chatBody);

    expect(completion.object).toBe("chat.completion");
    expect(completion._request_id).toMatch(/^req_mock\d+$/);
    expect(completion.model).toBe("gpt-4o-mini");
    expect(completion.choices[0]?.message).toMatchObject({ role: "assistant", content: expectedAnswer });
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage).toMatchObject({
      prompt_tokens: questionTokens,
      completion_tokens: 16,
      total_tokens: questionTokens + 16,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });

  it("streams a role delta, one content delta per token, a finish reason and then a usage chunk", async () => {
    const stream = await openai.chat.completions.create({ ...chatBody, stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    const contentChunks = chunks.slice(1, -2);
    expect(contentChunks).toHaveLength(16);
    expect(contentChunks.map((chunk) => chunk.choices[0]?.delta.content).join("")).toBe(expectedAnswer);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    const usageChunk = chunks.at(-1);
    expect(usageChunk?.choices).toEqual([]);
    expect(usageChunk?.usage).toMatchObject({ prompt_tokens: questionTokens, completion_tokens: 16 });
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
  });

  it("leaves usage out of a stream unless include_usage asks for it", async () => {
    const stream = await openai.chat.completions.create({ ...chatBody, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks.every((chunk) => !("usage" in chunk))).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("ends the stream on the wire with data: [DONE]", async () => {
    const response = await fetch(`${mock.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer sk-test", "content-type": "application/json" },
      body: JSON.stringify({ ...chatBody, stream: true }),
    });

    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(await response.text()).toMatch(/\n\ndata: \[DONE\]\n\n$/);
  });

  it("builds the same final completion through the SDK's streaming helper", async () => {
    const final = await openai.chat.completions.stream(chatBody).finalChatCompletion();

    expect(final.choices[0]?.message.content).toBe(expectedAnswer);
  });

  it("stops at the caller's max_completion_tokens with finish_reason length", async () => {
    const completion = await openai.chat.completions.create({ ...chatBody, max_completion_tokens: 3 });

    expect(completion.choices[0]?.message.content).toBe("Mock answer to:");
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.usage?.completion_tokens).toBe(3);
  });

  it("generates as many tokens as x-mock-completion-tokens asks for", async () => {
    const completion = await openai.chat.completions.create(chatBody, { headers: { "x-mock-completion-tokens": "40" } });

    expect(completion.usage?.completion_tokens).toBe(40);
    expect(completion.choices[0]?.message.content?.split(" ")).toHaveLength(40);
  });

  it("reports cached prompt tokens when x-mock-cached-tokens asks for them", async () => {
    const completion = await openai.chat.completions.create(chatBody, { headers: { "x-mock-cached-tokens": "4" } });

    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(4);
  });

  it("calls a tool when tool_choice requires one, and answers with text otherwise", async () => {
    const tools = [{ type: "function" as const, function: { name: "weather", parameters: { type: "object", properties: {} } } }];
    const forced = await openai.chat.completions.create({ ...chatBody, tools, tool_choice: "required" });
    expect(forced.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: { content: null, tool_calls: [{ type: "function", function: { name: "weather", arguments: "{}" } }] },
    });
    const named = await openai.chat.completions.create({ ...chatBody, tools, tool_choice: { type: "function", function: { name: "weather" } } });
    expect(named.choices[0]?.finish_reason).toBe("tool_calls");
    const free = await openai.chat.completions.create({ ...chatBody, tools, tool_choice: "auto" });
    expect(free.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: expectedAnswer } });
  });

  it("rejects a body without messages as a BadRequestError naming the field", async () => {
    const error = await openai.chat.completions
      .create({ model: "gpt-4o-mini" } as unknown as typeof chatBody)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: "messages", type: "invalid_request_error" });
  });
});

describe("OpenAI legacy completions, embeddings, models and responses", () => {
  it("answers a legacy completion with text and usage", async () => {
    const completion = await openai.completions.create({ model: "gpt-3.5-turbo-instruct", prompt: question });

    expect(completion.object).toBe("text_completion");
    expect(completion.choices[0]?.text).toBe(expectedAnswer);
    expect(completion.usage).toMatchObject({ prompt_tokens: questionTokens, completion_tokens: 16 });
  });

  it("returns unit-length embeddings that the SDK decodes from its default base64", async () => {
    const response = await openai.embeddings.create({ model: "text-embedding-3-small", input: ["first text", "second text"] });

    expect(mock.requests()[0]?.body).toMatchObject({ encoding_format: "base64" });
    expect(response.data).toHaveLength(2);
    const vector = response.data[0]?.embedding ?? [];
    expect(vector).toHaveLength(1536);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    expect(response.usage).toEqual({ prompt_tokens: 6, total_tokens: 6 });
  });

  it("honours dimensions and returns the same numbers as floats and as base64", async () => {
    const request = { model: "text-embedding-3-large", input: "same text", dimensions: 256 };
    const decoded = await openai.embeddings.create(request);
    const floats = await openai.embeddings.create({ ...request, encoding_format: "float" });

    expect(decoded.data[0]?.embedding).toHaveLength(256);
    expect(floats.data[0]?.embedding).toEqual(decoded.data[0]?.embedding);
  });

  it("lists models through the SDK's paginator", async () => {
    const ids = [];
    for await (const model of openai.models.list()) ids.push(model.id);

    expect(ids).toContain("gpt-4o-mini");
    expect(ids).toContain("text-embedding-3-small");
  });

  it("answers the Responses API with an output message and usage", async () => {
    const response = await openai.responses.create({ model: "gpt-4o-mini", input: question });

    expect(response.status).toBe("completed");
    expect(response.output_text).toBe(expectedAnswer);
    expect(response.usage).toMatchObject({
      input_tokens: questionTokens,
      output_tokens: 16,
      total_tokens: questionTokens + 16,
      input_tokens_details: { cached_tokens: 0 },
    });
  });
});

describe("Anthropic messages", () => {
  it("answers a message with a text block, end_turn and usage", async () => {
    const message = await anthropic.messages.create(messageBody);

    expect(message.content).toEqual([{ type: "text", text: expectedAnswer, citations: null }]);
    expect(message._request_id).toMatch(/^req_mock\d+$/);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage).toMatchObject({ input_tokens: questionTokens, output_tokens: 16, cache_read_input_tokens: 0 });
  });

  it("streams a message the SDK's helper assembles into the same final message", async () => {
    const final = await anthropic.messages.stream(messageBody).finalMessage();

    expect(final.content[0]).toMatchObject({ type: "text", text: expectedAnswer });
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage).toMatchObject({ input_tokens: questionTokens, output_tokens: 16 });
  });

  it("streams raw events in the real order", async () => {
    const stream = await anthropic.messages.create({ ...messageBody, stream: true }, { headers: { "x-mock-completion-tokens": "2" } });
    const types = [];
    for await (const event of stream) types.push(event.type);

    expect(types).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
  });

  it("names every event on the wire and pings after the first content block starts", async () => {
    const response = await fetch(`${mock.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": "sk-ant-test", "content-type": "application/json", "x-mock-completion-tokens": "1" },
      body: JSON.stringify({ ...messageBody, stream: true }),
    });
    const events = (await response.text()).match(/^event: .+$/gm);

    expect(events).toEqual([
      "event: message_start",
      "event: content_block_start",
      "event: ping",
      "event: content_block_delta",
      "event: content_block_stop",
      "event: message_delta",
      "event: message_stop",
    ]);
  });

  it("stops at the caller's max_tokens with stop_reason max_tokens", async () => {
    const message = await anthropic.messages.create({ ...messageBody, max_tokens: 2 });

    expect(message.stop_reason).toBe("max_tokens");
    expect(message.usage.output_tokens).toBe(2);
  });

  it("counts cached prompt tokens as cache reads, outside input_tokens", async () => {
    const message = await anthropic.messages.create(messageBody, { headers: { "x-mock-cached-tokens": "3" } });

    expect(message.usage).toMatchObject({ input_tokens: questionTokens - 3, cache_read_input_tokens: 3 });
  });
});

describe("errors in each provider's shape", () => {
  it("surfaces a forced 429 as OpenAI's RateLimitError with retry-after", async () => {
    const error = await openai.chat.completions
      .create(chatBody, { headers: { "x-mock-error-status": "429" } })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get("retry-after")).toBe("1");
  });

  it("surfaces a forced 500 as OpenAI's InternalServerError", async () => {
    const error = await openai.embeddings
      .create({ model: "text-embedding-3-small", input: "x" }, { headers: { "x-mock-error-status": "500" } })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error).toMatchObject({ status: 500, type: "server_error" });
  });

  it("surfaces a forced 529 as Anthropic's APIError with status and error type", async () => {
    const error = await anthropic.messages
      .create(messageBody, { headers: { "x-mock-error-status": "529" } })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toMatchObject({ status: 529, error: { type: "error", error: { type: "overloaded_error" } } });
  });

  it("surfaces a forced 429 on a stream request as Anthropic's RateLimitError", async () => {
    const error = await anthropic.messages
      .stream(messageBody, { headers: { "x-mock-error-status": "429" } })
      .finalMessage()
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
  });

  it("answers 401 in each provider's shape when no key is sent", async () => {
    const post = (path: string) => fetch(`${mock.url}${path}`, { method: "POST", body: "{}" });
    const openaiResponse = await post("/v1/chat/completions");
    const anthropicResponse = await post("/v1/messages");

    expect(openaiResponse.status).toBe(401);
    expect(await openaiResponse.json()).toMatchObject({
      error: { message: expect.stringContaining("API key"), type: "invalid_request_error", param: null },
    });
    expect(anthropicResponse.status).toBe(401);
    expect(await anthropicResponse.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
  });

  it("fails every request at errorRate 1 with the configured errorStatus", async () => {
    const failing = await startMockProvider({ errorRate: 1, errorStatus: 503 });
    try {
      const client = new OpenAI({ apiKey: "sk-test", baseURL: `${failing.url}/v1`, maxRetries: 0 });
      const error = await client.chat.completions.create(chatBody).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ status: 503 });
    } finally {
      await failing.close();
    }
  });

  it("rejects a malformed control header instead of silently ignoring it", async () => {
    const error = await openai.chat.completions
      .create(chatBody, { headers: { "x-mock-latency-ms": "soon" } })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain("x-mock-latency-ms");
  });
});

describe("timing and connection faults", () => {
  it("spaces stream chunks by x-mock-chunk-delay-ms", async () => {
    const delayMs = 40;
    const sentAt = performance.now();
    const stream = await openai.chat.completions.create(
      { ...chatBody, stream: true },
      { headers: { "x-mock-chunk-delay-ms": String(delayMs), "x-mock-completion-tokens": "4" } },
    );
    let chunks = 0;
    for await (const _chunk of stream) chunks++;
    const elapsed = performance.now() - sentAt;

    // Counted, not clocked gap by gap: a busy client reads two chunks at once and sees no gap
    // between them. The last chunk, though, can never leave before every delay before it has
    // passed (a timer never fires early), whatever the client's load.
    expect(chunks).toBe(6);
    expect(elapsed).toBeGreaterThanOrEqual((chunks - 1) * delayMs);
  });

  it("waits x-mock-latency-ms before answering", async () => {
    const started = performance.now();
    await openai.models.list({ headers: { "x-mock-latency-ms": "120" } });

    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
  });

  it("surfaces a connection dropped before the response as the SDKs' APIConnectionError", async () => {
    const headers = { "x-mock-drop-connection": "before-headers" };
    const openaiError = await openai.chat.completions.create(chatBody, { headers }).catch((caught: unknown) => caught);
    const anthropicError = await anthropic.messages.create(messageBody, { headers }).catch((caught: unknown) => caught);

    expect(openaiError).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(anthropicError).toBeInstanceOf(Anthropic.APIConnectionError);
  });

  it("cuts a stream halfway so the client gets some chunks and then a terminated connection", async () => {
    const stream = await openai.chat.completions.create(
      { ...chatBody, stream: true },
      { headers: { "x-mock-drop-connection": "mid-stream" } },
    );
    let received = 0;
    const error = await (async () => {
      for await (const _chunk of stream) received++;
    })().catch((caught: unknown) => caught);

    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(18);
    expect((error as Error).message).toBe("terminated");
  });

  it("sends the status and headers and then drops the connection with after-headers", async () => {
    const error = await anthropic.messages
      .stream(messageBody, { headers: { "x-mock-drop-connection": "after-headers" } })
      .finalMessage()
      .catch((caught: unknown) => caught);

    expect((error as Error).message).toBe("terminated");
  });

  it("closes promptly even while a slow request is still waiting", async () => {
    const slow = await startMockProvider({ latencyMs: 10_000 });
    const pending = fetch(`${slow.url}/v1/models`, { headers: { authorization: "Bearer sk-test" } }).catch(
      (caught: unknown) => caught,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));

    const started = performance.now();
    await slow.close();

    expect(performance.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(TypeError);
  });
});

describe("recorded requests", () => {
  it("records what the upstream received, headers and parsed body included", async () => {
    await openai.chat.completions.create(chatBody, { headers: { "x-trace-id": "abc" } });
    const listed = await (await fetch(`${mock.url}/__mock/requests`)).json();

    expect(listed.requests).toHaveLength(1);
    expect(listed.requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/chat/completions",
      headers: { authorization: "Bearer sk-test", "x-trace-id": "abc" },
      body: chatBody,
    });
    expect(mock.requests()).toEqual(listed.requests);
  });

  it("forgets recorded requests on DELETE /__mock/requests", async () => {
    await openai.models.list();
    const deleted = await fetch(`${mock.url}/__mock/requests`, { method: "DELETE" });

    expect(deleted.status).toBe(204);
    expect(mock.requests()).toEqual([]);
  });

  it("keeps only the most recent requests once the ring is full", async () => {
    const small = await startMockProvider({ maxRecordedRequests: 2 });
    try {
      const client = new OpenAI({ apiKey: "sk-test", baseURL: `${small.url}/v1`, maxRetries: 0 });
      for (const model of ["a", "b", "c"]) await client.chat.completions.create({ ...chatBody, model });
      expect(small.requests().map((request) => (request.body as { model: string }).model)).toEqual(["b", "c"]);
    } finally {
      await small.close();
    }
  });

  it("reports health without recording it", async () => {
    const health = await fetch(`${mock.url}/__mock/health`);

    expect(await health.json()).toEqual({ status: "ok" });
    expect(mock.requests()).toEqual([]);
  });
});
