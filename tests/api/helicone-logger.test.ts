import { randomUUID } from "node:crypto";
import Anthropic from "@anthropic-ai/sdk";
import { HeliconeManualLogger } from "@helicone/helpers";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { loggedRequest, uniqueTag } from "../helpers/logged-requests";
import { describeOnEachDatabase, PROVIDER_KEY } from "../helpers/test-stack";

// Helicone's own manual logger (@helicone/helpers), unchanged, with its loggingEndpoint set to us.
describeOnEachDatabase("Helicone's manual logger", (stack) => {
  /** What the logger posted to us and what we answered: the logger itself only console.errors a refusal. */
  interface LoggerPost {
    url: string;
    body: any;
    status: number;
    answer: any;
  }
  let posts: LoggerPost[] = [];
  const realFetch = globalThis.fetch;

  beforeAll(() => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const response = await realFetch(input, init);
      const url = String(input instanceof Request ? input.url : input);
      if (url.startsWith(stack().app.url) && url.endsWith("/v1/log")) {
        posts.push({ url, body: JSON.parse(String(init?.body)), status: response.status, answer: await response.clone().json() });
      }
      return response;
    });
  });
  afterAll(() => vi.restoreAllMocks());
  beforeEach(() => {
    posts = [];
    stack().mock.clearRequests();
  });

  const logger = (headers?: Record<string, string>) =>
    new HeliconeManualLogger({ apiKey: stack().app.apiKey, loggingEndpoint: stack().app.url, headers });
  // The user's own clients, calling the provider (the mock) directly: the logger reports on them.
  const openai = () => new OpenAI({ apiKey: PROVIDER_KEY, baseURL: `${stack().mock.url}/v1`, maxRetries: 0 });
  const anthropic = () => new Anthropic({ apiKey: PROVIDER_KEY, baseURL: stack().mock.url, maxRetries: 0 });

  const chatBody = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: "Plan a weekend in Tokyo" }] };
  const messageBody = { model: "claude-sonnet-4-5", max_tokens: 1024, messages: [{ role: "user" as const, content: "Summarize the hotel reviews" }] };

  /** The one post the last logger call made, answered 200; the request it stored, as the read API returns it. */
  async function storedFromLastPost(): Promise<{ post: LoggerPost; stored: any }> {
    expect(posts).toHaveLength(1);
    const [post] = posts;
    expect(post!.status, JSON.stringify(post!.answer)).toBe(200);
    return { post: post!, stored: await loggedRequest(stack(), post!.answer.id, 0) };
  }

  it("logRequest without a provider posts to /custom/v1/log; the OpenAI answer is read by its shape and priced by its model", async () => {
    const completion = await logger().logRequest(chatBody, async (recorder) => {
      const result = await openai().chat.completions.create(chatBody);
      recorder.appendResults(result as unknown as Record<string, unknown>);
      return result;
    });
    const { post, stored } = await storedFromLastPost();
    expect(post.url).toBe(`${stack().app.url}/custom/v1/log`);
    expect(post.body.provider).toBeUndefined();
    expect(stored).toMatchObject({
      source: "custom",
      provider: "custom",
      model: "gpt-4o-mini",
      status: 200,
      stream: false,
      promptTokens: completion.usage!.prompt_tokens,
      completionTokens: completion.usage!.completion_tokens,
      tokensEstimated: false,
      costUnknown: false,
    });
    // gpt-4o-mini: $0.15 / 1M input, $0.60 / 1M output
    expect(stored.cost).toBeCloseTo((completion.usage!.prompt_tokens * 0.15 + completion.usage!.completion_tokens * 0.6) / 1e6, 12);
    expect(stored.responseBody.choices[0].message.content).toBe(completion.choices[0]!.message.content);
    expect(stored.requestBody).toEqual(chatBody);
  });

  it("logRequest with provider openai posts to /oai/v1/log and is recorded as an OpenAI call", async () => {
    const completion = await logger().logRequest(
      chatBody,
      async (recorder) => {
        const result = await openai().chat.completions.create(chatBody);
        recorder.appendResults(result as unknown as Record<string, unknown>);
        return result;
      },
      {},
      "openai",
    );
    const { post, stored } = await storedFromLastPost();
    expect(post.url).toBe(`${stack().app.url}/oai/v1/log`);
    expect(stored).toMatchObject({
      provider: "openai",
      model: "gpt-4o-mini",
      promptTokens: completion.usage!.prompt_tokens,
      completionTokens: completion.usage!.completion_tokens,
      costUnknown: false,
    });
    expect(stored.responseBody.choices[0].message.content).toBe(completion.choices[0]!.message.content);
  });

  it("logRequest with provider anthropic posts to /anthropic/v1/log, which is logged, not proxied to Anthropic", async () => {
    const message = await logger().logRequest(
      messageBody,
      async (recorder) => {
        const result = await anthropic().messages.create(messageBody);
        recorder.appendResults(result as unknown as Record<string, unknown>);
        return result;
      },
      {},
      "anthropic",
    );
    const { post, stored } = await storedFromLastPost();
    expect(post.url).toBe(`${stack().app.url}/anthropic/v1/log`);
    // The provider saw the user's own call and nothing else: no POST /v1/log was forwarded to it.
    expect(stack().mock.requests().map((request) => request.path)).toEqual(["/v1/messages"]);
    const { input_tokens: input, output_tokens: output } = message.usage;
    expect(stored).toMatchObject({
      source: "custom",
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      promptTokens: input,
      completionTokens: output,
      costUnknown: false,
    });
    // Sonnet 4.5: $3 / 1M input, $15 / 1M output
    expect(stored.cost).toBeCloseTo((input * 3 + output * 15) / 1e6, 12);
    expect(stored.responseBody.content[0].text).toBe((message.content[0] as { text: string }).text);
  });

  it("logRequest with provider google posts to /googleapis/v1/log; Gemini's answer is read for its model, tokens and cost", async () => {
    // Gemini's generateContent answer, in its documented wire format (the mock provider does not speak it).
    const geminiAnswer = {
      candidates: [{ content: { role: "model", parts: [{ text: "Kyoto in autumn." }] }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: 1000, candidatesTokenCount: 400, thoughtsTokenCount: 100, totalTokenCount: 1500 },
      modelVersion: "gemini-2.0-flash",
      responseId: "mock-gemini-1",
    };
    const geminiRequest = { contents: [{ role: "user", parts: [{ text: "Where should I go?" }] }] };
    await logger().logRequest(
      { ...geminiRequest, model: "gemini-2.0-flash" },
      async (recorder) => {
        recorder.appendResults(geminiAnswer);
        return geminiAnswer;
      },
      {},
      "google",
    );
    const { post, stored } = await storedFromLastPost();
    expect(post.url).toBe(`${stack().app.url}/googleapis/v1/log`);
    // gemini-2.0-flash: $0.10 / 1M input, $0.40 / 1M output; thinking tokens are billed as output
    expect(stored).toMatchObject({ provider: "google", model: "gemini-2.0-flash", promptTokens: 1000, completionTokens: 500, costUnknown: false });
    expect(stored.cost).toBeCloseTo((1000 * 0.1 + 500 * 0.4) / 1e6, 12);
    expect(stored.responseBody.candidates[0].content.parts[0].text).toBe("Kyoto in autumn.");
  });

  interface StreamCase {
    name: string;
    model: string;
    /** logs one streamed answer with the logger */
    log(tag: string): Promise<void>;
    /** the same call unstreamed: the mock answers both alike */
    unstreamed(): Promise<{ text: string; promptTokens: number; completionTokens: number }>;
    pricePerMillion: { input: number; output: number };
  }

  const fromOpenAi = async () => {
    const completion = await openai().chat.completions.create(chatBody);
    return { text: completion.choices[0]!.message.content!, promptTokens: completion.usage!.prompt_tokens, completionTokens: completion.usage!.completion_tokens };
  };
  const fromAnthropic = async () => {
    const message = await anthropic().messages.create(messageBody);
    return { text: (message.content[0] as { text: string }).text, promptTokens: message.usage.input_tokens, completionTokens: message.usage.output_tokens };
  };
  const providerFetch = (path: string, body: unknown) =>
    realFetch(`${stack().mock.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${PROVIDER_KEY}`, "x-api-key": PROVIDER_KEY, "anthropic-version": "2023-06-01" },
      body: JSON.stringify(body),
    });
  const streamedChat = { ...chatBody, stream: true as const, stream_options: { include_usage: true } };
  const streamedMessage = { ...messageBody, stream: true as const };

  const streamCases: StreamCase[] = [
    {
      name: "an OpenAI stream as the provider sent it (SSE), with logSingleStream",
      model: "gpt-4o-mini",
      pricePerMillion: { input: 0.15, output: 0.6 },
      async log(tag) {
        const response = await providerFetch("/v1/chat/completions", streamedChat);
        await logger().logSingleStream(streamedChat, response.body!, { "Helicone-Property-Case": tag });
      },
      unstreamed: fromOpenAi,
    },
    {
      name: "an OpenAI stream from the openai SDK, tee'd, with logStream",
      model: "gpt-4o-mini",
      pricePerMillion: { input: 0.15, output: 0.6 },
      async log(tag) {
        const forUser = await logger().logStream(
          streamedChat,
          async (recorder) => {
            const [forUser, forLog] = (await openai().chat.completions.create(streamedChat)).tee();
            recorder.attachStream(forLog.toReadableStream());
            return forUser;
          },
          { "Helicone-Property-Case": tag },
        );
        let text = "";
        for await (const chunk of forUser) text += chunk.choices[0]?.delta.content ?? "";
        expect(text).toBe((await fromOpenAi()).text);
      },
      unstreamed: fromOpenAi,
    },
    {
      name: "an Anthropic stream as the provider sent it (SSE), with logSingleStream",
      model: "claude-sonnet-4-5",
      pricePerMillion: { input: 3, output: 15 },
      async log(tag) {
        const response = await providerFetch("/v1/messages", streamedMessage);
        await logger().logSingleStream(streamedMessage, response.body!, { "Helicone-Property-Case": tag });
      },
      unstreamed: fromAnthropic,
    },
    {
      name: "an Anthropic stream from the Anthropic SDK, tee'd, with logStream",
      model: "claude-sonnet-4-5",
      pricePerMillion: { input: 3, output: 15 },
      async log(tag) {
        const forUser = await logger().logStream(
          streamedMessage,
          async (recorder) => {
            const [forUser, forLog] = (await anthropic().messages.create(streamedMessage)).tee();
            recorder.attachStream(forLog.toReadableStream());
            return forUser;
          },
          { "Helicone-Property-Case": tag },
        );
        let text = "";
        for await (const event of forUser) if (event.type === "content_block_delta" && event.delta.type === "text_delta") text += event.delta.text;
        expect(text).toBe((await fromAnthropic()).text);
      },
      unstreamed: fromAnthropic,
    },
  ];

  it.each(streamCases.map((streamCase) => [streamCase.name, streamCase] as const))(
    "%s: text, model, tokens, cost and time to first token as for a proxied stream",
    async (_name, streamCase) => {
      const tag = uniqueTag("stream");
      await streamCase.log(tag);
      const { post, stored } = await storedFromLastPost();
      // What the logger really sends for a stream: the text, and an empty json beside it.
      expect(post.body.providerResponse).toMatchObject({ json: {}, textBody: expect.any(String), status: 200 });
      expect(post.body.timing.timeToFirstToken).toEqual(expect.any(Number));

      const expected = await streamCase.unstreamed();
      expect(stored).toMatchObject({
        source: "custom",
        model: streamCase.model,
        stream: true,
        status: 200,
        promptTokens: expected.promptTokens,
        completionTokens: expected.completionTokens,
        tokensEstimated: false,
        costUnknown: false,
        timeToFirstTokenMs: post.body.timing.timeToFirstToken,
        properties: { case: tag },
      });
      const { input, output } = streamCase.pricePerMillion;
      expect(stored.cost).toBeCloseTo((expected.promptTokens * input + expected.completionTokens * output) / 1e6, 12);
      // Stored reassembled, as the provider would have answered without `stream: true`.
      const text = stored.responseBody.choices?.[0]?.message.content ?? stored.responseBody.content?.[0]?.text;
      expect(text).toBe(expected.text);
    },
  );

  it("a stream the client cancelled (status -3, from logBuilder) is recorded as the proxy records a cancelled call", async () => {
    const tag = uniqueTag("cancelled");
    const builder = logger().logBuilder(streamedChat, { "Helicone-Property-Case": tag });
    const stream = await openai().chat.completions.create(streamedChat);
    const reader = builder.toReadableStream(stream).getReader();
    await reader.read();
    await reader.cancel();
    await builder.sendLog();

    const { post, stored } = await storedFromLastPost();
    expect(post.body.providerResponse.status).toBe(-3);
    expect(stored).toMatchObject({
      cancelled: true,
      status: 0,
      errorReason: "cancelled by the client before the response ended",
      model: "gpt-4o-mini",
      stream: true,
      properties: { case: tag },
    });
  });

  it("an error set on logBuilder is a failed call whose reason is the error's message", async () => {
    const builder = logger().logBuilder(chatBody);
    builder.setError(new Error("upstream refused the connection"));
    await builder.sendLog();
    const { stored } = await storedFromLastPost();
    expect(stored).toMatchObject({ status: 500, cancelled: false, errorReason: "Error: upstream refused the connection" });
  });

  it("a tree of 3 levels with LLM calls, a tool and a vector-database step, placed by node ids and grouped by session and user sent as headers", async () => {
    const traceId = randomUUID();
    const sessionId = uniqueTag("session");
    const userId = `user-${randomUUID()}`;
    // Session and user for every log of this logger (its `headers`), node ids per call (additionalHeaders).
    const agent = logger({ "Helicone-Session-Id": sessionId, "Helicone-Session-Name": "Trip planner", "Helicone-User-Id": userId });
    const callOpenAi = async (recorder: { appendResults(data: Record<string, unknown>): void }) => {
      recorder.appendResults((await openai().chat.completions.create(chatBody)) as unknown as Record<string, unknown>);
    };
    const callAnthropic = async (recorder: { appendResults(data: Record<string, unknown>): void }) => {
      recorder.appendResults((await anthropic().messages.create(messageBody)) as unknown as Record<string, unknown>);
    };

    await agent.logRequest(chatBody, callOpenAi, { "Helicone-Node-Id": traceId, "Helicone-Property-Env": "staging" }, "openai");
    await agent.logRequest(
      { _type: "tool", toolName: "search_hotels", input: { city: "Tokyo", nights: 2 } },
      async (recorder) => recorder.appendResults({ hotels: ["Hotel Okura", "Park Hyatt"] }),
      { "Helicone-Node-Id": `${traceId}:hotels` },
    );
    await agent.logRequest(
      { _type: "vector_db", operation: "search", text: "quiet hotel near a park", topK: 2, databaseName: "pinecone" },
      async (recorder) => recorder.appendResults({ matches: [{ id: "review-7", score: 0.91 }] }),
      { "Helicone-Node-Id": `${traceId}:hotels:reviews` },
    );
    await agent.logRequest(messageBody, callAnthropic, { "Helicone-Node-Id": `${traceId}:hotels:summary` }, "anthropic");
    expect(posts.map((post) => post.status)).toEqual([200, 200, 200, 200]);

    const trace = await stack().api(`/api/v1/traces/${traceId}`);
    expect(trace.status).toBe(200);
    const nodes = new Map<string, any>(trace.body.nodes.map((node: any) => [node.id, node]));
    expect([...nodes.keys()].sort()).toEqual([traceId, `${traceId}:hotels`, `${traceId}:hotels:reviews`, `${traceId}:hotels:summary`].sort());
    expect(nodes.get(traceId)).toMatchObject({ parentId: null, depth: 1, virtual: false });
    expect(nodes.get(`${traceId}:hotels`)).toMatchObject({ parentId: traceId, depth: 2, virtual: false });
    expect(nodes.get(`${traceId}:hotels:reviews`)).toMatchObject({ parentId: `${traceId}:hotels`, depth: 3, virtual: false });
    expect(nodes.get(`${traceId}:hotels:summary`)).toMatchObject({ parentId: `${traceId}:hotels`, depth: 3, virtual: false });

    const requestOf = (id: string) => nodes.get(id).requests[0];
    expect(requestOf(traceId)).toMatchObject({ provider: "openai", model: "gpt-4o-mini", costUnknown: false, properties: { env: "staging" } });
    expect(requestOf(`${traceId}:hotels:summary`)).toMatchObject({ provider: "anthropic", model: "claude-sonnet-4-5", costUnknown: false });
    // The steps are named where a call shows its model; they cost exactly 0 and have no tokens.
    expect(requestOf(`${traceId}:hotels`)).toMatchObject({ provider: "tool", model: null, path: "search_hotels", cost: 0, costUnknown: false, promptTokens: null, completionTokens: null });
    expect(requestOf(`${traceId}:hotels:reviews`)).toMatchObject({ provider: "vector_db", model: null, path: "pinecone search", cost: 0, costUnknown: false, promptTokens: null });
    for (const node of nodes.values()) expect(node.requests[0]).toMatchObject({ sessionId, userId, status: 200 });
    const llmCost = requestOf(traceId).cost + requestOf(`${traceId}:hotels:summary`).cost;
    expect(trace.body.metrics).toMatchObject({ nodeCount: 4, maxDepth: 3, successRate: 1, costComplete: true });
    expect(trace.body.metrics.totalCost).toBeCloseTo(llmCost, 12);

    // The tool's input and output are its bodies.
    const tool = await loggedRequest(stack(), requestOf(`${traceId}:hotels`).id, 0);
    expect(tool.requestBody).toMatchObject({ toolName: "search_hotels", input: { city: "Tokyo", nights: 2 } });
    expect(tool.responseBody).toMatchObject({ hotels: ["Hotel Okura", "Park Hyatt"] });

    const session = await stack().api(`/api/v1/sessions/${encodeURIComponent(sessionId)}`);
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ name: "Trip planner", userIds: [userId], requestCount: 4, costComplete: true });
    expect(session.body.traces.map((t: any) => t.traceId)).toEqual([traceId]);
    const byUser = await stack().waitForRequests(`userId=${encodeURIComponent(userId)}`, 4);
    expect(byUser).toHaveLength(4);
  });

  it("the bodies Helicone's Python logger sends (textBody null, timeToFirstToken null, no provider) are logged on its routes", async () => {
    const completion = await openai().chat.completions.create(chatBody);
    const now = Date.now();
    const timing = {
      startTime: { seconds: Math.floor((now - 1500) / 1000), milliseconds: (now - 1500) % 1000 },
      endTime: { seconds: Math.floor(now / 1000), milliseconds: now % 1000 },
      timeToFirstToken: null,
    };
    const post = (route: string, request: Record<string, unknown>, response: Record<string, unknown>) =>
      realFetch(`${stack().app.url}${route}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${stack().app.apiKey}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          providerRequest: { url: "custom-model-nopath", json: request, meta: {} },
          providerResponse: {
            headers: {},
            status: 200,
            json: { ...response, _type: request._type ?? "unknown", toolName: request.toolName ?? "unknown" },
            textBody: null,
          },
          timing,
        }),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as any }));

    const llm = await post("/oai/v1/log", chatBody, completion as unknown as Record<string, unknown>);
    expect(llm.status, JSON.stringify(llm.body)).toBe(200);
    expect(await loggedRequest(stack(), llm.body.id, 0)).toMatchObject({
      provider: "openai",
      model: "gpt-4o-mini",
      promptTokens: completion.usage!.prompt_tokens,
      completionTokens: completion.usage!.completion_tokens,
      costUnknown: false,
      timeToFirstTokenMs: null,
      latencyMs: 1500,
    });

    const tool = await post("/custom/v1/log", { _type: "tool", toolName: "lookup_weather", input: { city: "Oslo" } }, { celsius: 4 });
    expect(tool.status, JSON.stringify(tool.body)).toBe(200);
    expect(await loggedRequest(stack(), tool.body.id, 0)).toMatchObject({ provider: "tool", path: "lookup_weather", cost: 0, costUnknown: false });
  });
});

