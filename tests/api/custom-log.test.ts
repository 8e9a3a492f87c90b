import { randomUUID } from "node:crypto";
import Anthropic from "@anthropic-ai/sdk";
import { expect, it } from "vitest";
import { loggedRequest, uniqueTag } from "../helpers/logged-requests";
import { describeOnEachDatabase, PROVIDER_KEY } from "../helpers/test-stack";

// POST /v1/trace/custom/log as the seed's "Custom Trace Logging" example writes it.
describeOnEachDatabase("custom log endpoint", (stack) => {
  async function postCustomLog(body: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${stack().app.url}/v1/trace/custom/log`, {
      method: "POST",
      headers: { Authorization: `Bearer ${stack().app.apiKey}`, "Content-Type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  /** A valid log of an Anthropic call that took 1.5 s, a minute ago; `overrides` replace top-level parts. */
  function anthropicLog(overrides: Record<string, unknown> = {}) {
    const start = Date.now() - 60_000;
    return {
      providerRequest: {
        url: "https://api.anthropic.com/v1/messages",
        json: { model: "claude-3-opus-20240229", max_tokens: 100, messages: [{ role: "user", content: "Hello" }] },
        meta: {},
      },
      providerResponse: {
        json: {
          id: "msg_01",
          type: "message",
          role: "assistant",
          model: "claude-3-opus-20240229",
          content: [{ type: "text", text: "Hi there" }],
          stop_reason: "end_turn",
          usage: { input_tokens: 10, output_tokens: 20 },
        },
        status: 200,
        headers: {},
      },
      timing: { startTime: start, endTime: start + 1500 },
      provider: "anthropic",
      ...overrides,
    };
  }

  it("the seed's example (Anthropic, {seconds, nanos} timing) lands as a child node of the right trace, priced as Claude 3 Opus", async () => {
    // The parent is an ordinary proxied call, as in the seed's Basic example.
    const parentId = randomUUID();
    const childId = randomUUID();
    await stack()
      .openai()
      .chat.completions.create(
        { model: "gpt-4", messages: [{ role: "user", content: "Create a travel plan for Tokyo" }] },
        { headers: { "Helicone-Node-Id": parentId } },
      );

    // The child is a call the user made to Anthropic themselves (here: straight to the mock).
    const anthropic = new Anthropic({ apiKey: PROVIDER_KEY, baseURL: stack().mock.url, maxRetries: 0 });
    const startTime = Math.floor(Date.now() / 1000);
    const responseData = await anthropic.messages.create({
      model: "claude-3-opus-20240229",
      max_tokens: 1024,
      messages: [{ role: "user", content: "Hello" }],
    });
    const endTime = startTime + 2;

    const { status, body } = await postCustomLog(
      {
        providerRequest: {
          url: "https://api.anthropic.com/v1/messages",
          json: { model: "claude-3-opus-20240229", messages: [{ role: "user", content: "Hello" }] },
          meta: { "Helicone-Auth": `Bearer ${stack().app.apiKey}` },
        },
        providerResponse: { json: responseData, status: 200, headers: {} },
        timing: {
          startTime: { seconds: startTime, nanos: 0 },
          endTime: { seconds: endTime, nanos: 0 },
        },
        provider: "anthropic",
      },
      { "Helicone-Node-Id": `${parentId}:${childId}` },
    );
    expect(status).toBe(200);
    expect(body.id).toEqual(expect.any(String));

    await stack().waitForRequests(`traceId=${parentId}`, 2);
    const trace = await stack().api(`/api/v1/traces/${parentId}`);
    expect(trace.status).toBe(200);
    const child = trace.body.nodes.find((node: any) => node.id === `${parentId}:${childId}`);
    expect(child).toMatchObject({ parentId, depth: 2, virtual: false });
    expect(child.requests).toHaveLength(1);
    const { input_tokens: input, output_tokens: output } = responseData.usage;
    expect(child.requests[0]).toMatchObject({
      id: body.id,
      source: "custom",
      provider: "anthropic",
      model: "claude-3-opus-20240229",
      path: "/v1/messages",
      status: 200,
      startTime: new Date(startTime * 1000).toISOString(),
      endTime: new Date(endTime * 1000).toISOString(),
      latencyMs: 2000,
      promptTokens: input,
      completionTokens: output,
      costUnknown: false,
    });
    // Claude 3 Opus: $15 / 1M input tokens, $75 / 1M output tokens
    expect(child.requests[0].cost).toBeCloseTo((input * 15 + output * 75) / 1e6, 12);
    expect(trace.body.metrics).toMatchObject({ nodeCount: 2, maxDepth: 2, successRate: 1, costComplete: true });

    // 200 means stored: the request is readable at once, bodies as sent, the key in meta redacted.
    const stored = await loggedRequest(stack(), body.id, 0);
    expect(stored.responseBody).toEqual(JSON.parse(JSON.stringify(responseData)));
    expect(stored.requestBody).toEqual({ model: "claude-3-opus-20240229", messages: [{ role: "user", content: "Hello" }] });
    expect(JSON.stringify(stored)).not.toContain(stack().app.apiKey);
  });

  const base = Math.floor((Date.now() - 3_600_000) / 1000) * 1000; // a whole second, an hour ago
  it.each([
    ["{seconds, nanos}", { seconds: base / 1000, nanos: 250_000_000 }, { seconds: base / 1000 + 1, nanos: 750_000_000 }],
    ["{seconds, milliseconds}", { seconds: base / 1000, milliseconds: 250 }, { seconds: base / 1000 + 1, milliseconds: 750 }],
    ["epoch milliseconds", base + 250, base + 1750],
    ["ISO 8601 in UTC", new Date(base + 250).toISOString(), new Date(base + 1750).toISOString()],
    ["ISO 8601 with an offset", isoWithOffset(base + 250, 2), isoWithOffset(base + 1750, -5)],
  ])("timing as %s is stored to the millisecond", async (_format, startTime, endTime) => {
    const { status, body } = await postCustomLog(anthropicLog({ timing: { startTime, endTime } }));
    expect(status).toBe(200);
    const stored = await loggedRequest(stack(), body.id, 0);
    expect(stored).toMatchObject({
      startTime: new Date(base + 250).toISOString(),
      endTime: new Date(base + 1750).toISOString(),
      latencyMs: 1500,
    });
  });

  it("Helicone headers carried inside providerRequest.meta place the log in its trace, session, user and properties", async () => {
    const traceId = randomUUID();
    const sessionId = uniqueTag("session");
    const log = anthropicLog();
    log.providerRequest.meta = {
      "Helicone-Node-Id": `${traceId}:step-1`,
      "Helicone-Session-Id": sessionId,
      "Helicone-Session-Name": "Support chat",
      "helicone-user-id": "user-42",
      "Helicone-Property-Env": "staging",
      "HELICONE-PROPERTY-Team": "search",
    };
    const { status, body } = await postCustomLog(log);
    expect(status).toBe(200);

    const stored = await loggedRequest(stack(), body.id, 0);
    expect(stored).toMatchObject({
      traceId,
      nodeId: `${traceId}:step-1`,
      parentNodeId: traceId,
      sessionId,
      sessionName: "Support chat",
      userId: "user-42",
      properties: { env: "staging", team: "search" },
    });
    const filtered = await stack().waitForRequests(`property.Env=staging&property.team=search&sessionId=${sessionId}`, 1);
    expect(filtered.map((row: any) => row.id)).toEqual([body.id]);
  });

  it("a Helicone header on the log call wins over the same one in meta", async () => {
    const log = anthropicLog();
    log.providerRequest.meta = { "Helicone-User-Id": "from-meta", "Helicone-Property-Env": "from-meta" };
    const { status, body } = await postCustomLog(log, { "Helicone-User-Id": "from-header", "Helicone-Property-Env": "from-header" });
    expect(status).toBe(200);
    const stored = await loggedRequest(stack(), body.id, 0);
    expect(stored).toMatchObject({ userId: "from-header", properties: { env: "from-header" } });
  });

  it("the API key may come as Helicone-Auth inside meta alone, as the seed's body carries it", async () => {
    const log = anthropicLog();
    log.providerRequest.meta = { "Helicone-Auth": `Bearer ${stack().app.apiKey}` };
    const response = await fetch(`${stack().app.url}/v1/trace/custom/log`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(log),
    });
    expect(response.status).toBe(200);
  });

  it("an OpenAI usage block gives prompt, completion and cached tokens, priced with the cached-input discount", async () => {
    const { status, body } = await postCustomLog({
      providerRequest: {
        url: "https://api.openai.com/v1/chat/completions",
        json: { model: "gpt-4o", messages: [{ role: "user", content: "Summarize the manual" }] },
      },
      providerResponse: {
        status: 200,
        json: {
          id: "chatcmpl-1",
          object: "chat.completion",
          model: "gpt-4o-2024-08-06",
          choices: [{ index: 0, message: { role: "assistant", content: "Summary" }, finish_reason: "stop" }],
          usage: { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500, prompt_tokens_details: { cached_tokens: 1000 } },
        },
      },
      timing: { startTime: Date.now() - 2000, endTime: Date.now() - 1000 },
      provider: "openai",
    });
    expect(status).toBe(200);
    const stored = await loggedRequest(stack(), body.id, 0);
    expect(stored).toMatchObject({
      provider: "openai",
      model: "gpt-4o-2024-08-06",
      path: "/v1/chat/completions",
      promptTokens: 1200,
      completionTokens: 300,
      cachedTokens: 1000,
      totalTokens: 1500,
      tokensEstimated: false,
      costUnknown: false,
    });
    // gpt-4o: $2.50 / 1M input, $1.25 / 1M cached input, $10 / 1M output
    expect(stored.cost).toBeCloseTo((200 * 2.5 + 1000 * 1.25 + 300 * 10) / 1e6, 12);
  });

  it("an Anthropic usage block counts cache reads and writes into prompt tokens and prices each at its own rate", async () => {
    const log = anthropicLog();
    log.providerRequest.json.model = "claude-sonnet-4-5";
    Object.assign(log.providerResponse.json, {
      model: "claude-sonnet-4-5-20250929",
      usage: { input_tokens: 50, cache_read_input_tokens: 1000, cache_creation_input_tokens: 200, output_tokens: 100 },
    });
    const { status, body } = await postCustomLog(log);
    expect(status).toBe(200);
    const stored = await loggedRequest(stack(), body.id, 0);
    expect(stored).toMatchObject({
      model: "claude-sonnet-4-5-20250929",
      promptTokens: 1250,
      cachedTokens: 1000,
      completionTokens: 100,
      totalTokens: 1350,
      tokensEstimated: false,
    });
    // Sonnet 4.5: $3 input, $0.30 cache read, $3.75 cache write, $15 output, per 1M tokens
    expect(stored.cost).toBeCloseTo((50 * 3 + 1000 * 0.3 + 200 * 3.75 + 100 * 15) / 1e6, 12);
  });

  it("a model missing from the price table keeps its tokens but has cost null and is flagged, never 0", async () => {
    const { status, body } = await postCustomLog({
      providerRequest: { url: "https://llm.acme.internal/v1/chat/completions", json: { model: "acme-frontier-1", messages: [] } },
      providerResponse: {
        status: 200,
        json: {
          object: "chat.completion",
          model: "acme-frontier-1",
          choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
          usage: { prompt_tokens: 40, completion_tokens: 8, total_tokens: 48 },
        },
      },
      provider: "acme",
    });
    expect(status).toBe(200);
    const stored = await loggedRequest(stack(), body.id, 0);
    expect(stored).toMatchObject({ provider: "acme", model: "acme-frontier-1", promptTokens: 40, completionTokens: 8, cost: null, costUnknown: true });
  });

  it("bad bodies are refused with 400 naming each bad field, and none of them is stored", async () => {
    const sessionId = uniqueTag("session");
    const marked = { "Helicone-Session-Id": sessionId };
    const valid = anthropicLog();
    const cases: Array<{ body: unknown; fields: string[] }> = [
      { body: { ...valid, providerRequest: undefined }, fields: ["providerRequest"] },
      { body: { ...valid, providerResponse: { ...valid.providerResponse, status: "200" } }, fields: ["providerResponse.status"] },
      { body: { ...valid, timing: { startTime: Date.now() - 1000, endTime: Date.now() - 5000 } }, fields: ["timing.endTime"] },
      { body: { ...valid, timing: { startTime: "yesterday-ish", endTime: Date.now() } }, fields: ["timing.startTime"] },
      // epoch seconds where milliseconds are expected: 1970, refused with the formats that work
      { body: { ...valid, timing: { startTime: 1_700_000_000, endTime: 1_700_000_002 } }, fields: ["timing.startTime", "epoch milliseconds"] },
      {
        body: { ...valid, providerRequest: { ...valid.providerRequest, meta: { "Helicone-Node-Id": "plan::step" } } },
        fields: ["Helicone-Node-Id", "empty segment"],
      },
      {
        body: { ...valid, provider: undefined, providerRequest: { ...valid.providerRequest, url: 42 } },
        fields: ["provider", "providerRequest.url"],
      },
    ];
    for (const { body, fields } of cases) {
      const response = await postCustomLog(body, marked);
      expect(response.status, JSON.stringify(body)).toBe(400);
      for (const field of fields) expect(response.body.error.message).toContain(field);
    }

    const invalidJson = await postCustomLog('{"providerRequest": {"url": "https://api.anthropic.com/v1/messages",', marked);
    expect(invalidJson.status).toBe(400);
    expect(invalidJson.body.error).toMatchObject({ code: "invalid_json", message: expect.stringMatching(/JSON/) });

    // Only the one valid log sent after them is in the session.
    const ok = await postCustomLog(valid, marked);
    expect(ok.status).toBe(200);
    const rows = await stack().waitForRequests(`sessionId=${sessionId}`, 1);
    expect(rows.map((row: any) => row.id)).toEqual([ok.body.id]);
  });

  it("a log without a valid API key is refused with 401 and not stored", async () => {
    const sessionId = uniqueTag("session");
    const log = anthropicLog();
    const missing = await fetch(`${stack().app.url}/v1/trace/custom/log`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Helicone-Session-Id": sessionId },
      body: JSON.stringify(log),
    });
    expect(missing.status).toBe(401);
    const wrong = await postCustomLog(log, { Authorization: "Bearer sk-tw-not-a-real-key-000000000000", "Helicone-Session-Id": sessionId });
    expect(wrong.status).toBe(401);
    const { body } = await stack().api(`/api/v1/requests?sessionId=${sessionId}`);
    expect(body.data).toEqual([]);
  });

  it.each([
    ["not a whole number", 10.5],
    ["negative", -3],
    ["too large to store", 3_000_000_000],
  ])("a token count that is %s is refused with 400 naming the usage, and logging carries on", async (_problem, inputTokens) => {
    const sessionId = uniqueTag("session");
    const log = anthropicLog();
    Object.assign(log.providerResponse.json, { usage: { input_tokens: inputTokens, output_tokens: 20 } });
    const bad = await postCustomLog(log, { "Helicone-Session-Id": sessionId });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("providerResponse.json.usage");

    const ok = await postCustomLog(anthropicLog(), { "Helicone-Session-Id": sessionId });
    expect(ok.status).toBe(200);
    const rows = await stack().waitForRequests(`sessionId=${sessionId}`, 1);
    expect(rows.map((row: any) => row.id)).toEqual([ok.body.id]);
  });

  it("NUL characters in Helicone values are stored as U+FFFD, bodies keep them, and later logs are not held up", async () => {
    const sessionId = uniqueTag("session");
    const log = anthropicLog();
    log.providerRequest.meta = { "Helicone-Session-Id": `${sessionId}\u0000`, "Helicone-Property-Note": "a\u0000b" };
    log.providerRequest.json.messages = [{ role: "user", content: "binary\u0000text" }];
    const response = await postCustomLog(log);
    expect(response.status).toBe(200);
    const stored = await loggedRequest(stack(), response.body.id, 0);
    expect(stored).toMatchObject({ sessionId: `${sessionId}\uFFFD`, properties: { note: "a\uFFFDb" } });
    // Bodies are stored as JSON text, where the character is an escape: it comes back as sent.
    expect(stored.requestBody.messages[0].content).toBe("binary\u0000text");

    const next = await postCustomLog(anthropicLog());
    expect(next.status).toBe(200);
  });
});

/** The same instant written with a UTC offset of `hours`, e.g. 2026-01-01T12:00:00.250+02:00. */
function isoWithOffset(epochMs: number, hours: number): string {
  const shifted = new Date(epochMs + hours * 3_600_000).toISOString().slice(0, -1);
  const sign = hours >= 0 ? "+" : "-";
  return `${shifted}${sign}${String(Math.abs(hours)).padStart(2, "0")}:00`;
}
