import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { providerOfApiUrl } from "@/lib/domain/cost";
import { chooseProvider, customLogToLoggedRequest } from "@/lib/ingest/custom-log";
import { readLoggedStep } from "@/lib/ingest/logged-step";
import { parseStreamEvents } from "@/lib/ingest/providers/sse";
import { exchangeToLoggedRequest } from "@/lib/ingest/proxy/exchange-to-record";

const NOW = Date.UTC(2026, 0, 15, 12);

describe("which provider a custom log is for", () => {
  it("the logging route first, then the body's provider, then the URL's host, else custom", () => {
    expect(chooseProvider("anthropic", "openai", "https://api.openai.com/v1/chat/completions")).toBe("anthropic");
    expect(chooseProvider(null, "Groq", "https://api.openai.com/v1/chat/completions")).toBe("groq");
    expect(chooseProvider(null, undefined, "https://api.anthropic.com/v1/messages")).toBe("anthropic");
    expect(chooseProvider(null, undefined, "custom-model-nopath")).toBe("custom");
  });

  it.each([
    ["https://api.openai.com/v1/chat/completions", "openai"],
    ["https://api.anthropic.com/v1/messages", "anthropic"],
    ["https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent", "google"],
    ["https://acme.openai.azure.com/openai/deployments/gpt-4o/chat/completions", "azure"],
    ["https://api.groq.com/openai/v1/chat/completions", "groq"],
    ["https://llm.acme.internal/v1/chat/completions", null],
    ["/v1/chat/completions", null],
    ["custom-model-nopath", null],
  ])("the price table places %s as %s", (url, provider) => {
    expect(providerOfApiUrl(url)).toBe(provider);
  });
});

describe("steps Helicone's logger logs that are not LLM calls", () => {
  it.each([
    [{ _type: "tool", toolName: "search_hotels", input: {} }, { kind: "tool", name: "search_hotels" }],
    [{ _type: "tool", input: {} }, { kind: "tool", name: "tool" }],
    [{ _type: "vector_db", operation: "search", databaseName: "pinecone" }, { kind: "vector_db", name: "pinecone search" }],
    [{ _type: "vector_db", operation: "insert" }, { kind: "vector_db", name: "vector_db insert" }],
    [{ _type: "vector_db", operation: "search", name: "hotel reviews" }, { kind: "vector_db", name: "hotel reviews" }],
    [{ _type: "data", name: "user profile" }, { kind: "data", name: "user profile" }],
    [{ _type: "tool", toolName: "x".repeat(500) }, { kind: "tool", name: "x".repeat(200) }],
  ])("%j is the step %j", (request, step) => {
    expect(readLoggedStep(request)).toEqual(step);
  });

  it("an LLM request is no step, whatever Python's logger puts in the answer", () => {
    expect(readLoggedStep({ model: "gpt-4o-mini", messages: [] })).toBeNull();
    expect(readLoggedStep({ _type: "unknown", model: "gpt-4o-mini" })).toBeNull();
  });

  it("a tool step costs 0 and has no tokens, even when its output looks like a provider's answer", () => {
    const record = customLogToLoggedRequest("org-1", heliconeLog({ _type: "tool", toolName: "lookup" }, { json: { usage: { prompt_tokens: 9 }, model: "gpt-4o" } }), [], NOW);
    expect(record).toMatchObject({ provider: "tool", path: "lookup", model: null, promptTokens: null, costUsd: 0, costUnknown: false, stream: false });
  });
});

describe("textBody: a streamed answer is stored as a proxied stream is", () => {
  const fixtures = [
    { provider: "openai" as const, file: "openai-chat-stream-with-usage.sse", request: { model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "Hi" }] } },
    { provider: "anthropic" as const, file: "anthropic-stream-tool-use.sse", request: { model: "claude-sonnet-4-5", stream: true, max_tokens: 100, messages: [{ role: "user", content: "weather?" }] } },
  ];

  describe.each(fixtures)("$file", ({ provider, file, request }) => {
    const sse = readFileSync(new URL(`../fixtures/providers/${file}`, import.meta.url), "utf8");
    // What the openai and Anthropic SDKs' toReadableStream() write, and so what logStream sends.
    const jsonLines = parseStreamEvents(sse)
      .map((event) => `${JSON.stringify(event.data)}\n`)
      .join("");
    const proxied = exchangeToLoggedRequest({
      id: "proxied",
      organizationId: "org-1",
      provider,
      method: "POST",
      path: provider === "openai" ? "/v1/chat/completions" : "/v1/messages",
      rawRequestHeaders: [],
      requestHeaders: {},
      requestBody: Buffer.from(JSON.stringify(request)),
      status: 200,
      responseHeaders: { "content-type": "text/event-stream" },
      responseBody: Buffer.from(sse),
      responseBodyTruncated: false,
      startMs: NOW - 1000,
      latencyMs: 1000,
      timeToFirstByteMs: 100,
      cancelled: false,
      errorReason: null,
    });

    it.each([
      ["as SSE, on the custom route", sse, null],
      ["as JSON lines, on the custom route", jsonLines, null],
      ["as JSON lines, on its provider's route", jsonLines, provider],
    ])("%s", (_how, textBody, route) => {
      const record = customLogToLoggedRequest("org-1", heliconeLog(request, { textBody, timeToFirstToken: 100 }), [], NOW, route);
      const fields = ["model", "stream", "responseBody", "promptTokens", "completionTokens", "cachedTokens", "totalTokens", "tokensEstimated", "costUsd", "costUnknown", "timeToFirstTokenMs"] as const;
      expect(pick(record, fields)).toEqual(pick(proxied, fields));
      expect(proxied).toMatchObject({ stream: true, costUnknown: false });
      expect(record.provider).toBe(route ?? "custom");
    });

    it("cut after its first event it is still a stream, of what arrived", () => {
      const record = customLogToLoggedRequest("org-1", heliconeLog(request, { textBody: jsonLines.slice(0, jsonLines.indexOf("\n") + 1) }), [], NOW);
      // The model named in that first event (dated), not the request's.
      expect(record).toMatchObject({ stream: true, model: proxied.model });
      expect(proxied.model).not.toBe(request.model);
    });
  });

  it("a whole answer sent as text is read as that answer, not as a stream", () => {
    const completion = { object: "chat.completion", model: "gpt-4o-mini", choices: [{ index: 0, message: { role: "assistant", content: "Hi" } }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } };
    const text = `${JSON.stringify(completion)}\n`;
    const record = customLogToLoggedRequest("org-1", heliconeLog({ model: "gpt-4o-mini", messages: [] }, { textBody: text }), [], NOW);
    expect(record).toMatchObject({ stream: false, model: "gpt-4o-mini", promptTokens: 5, completionTokens: 1, responseBody: text });
  });

  it("plain text is kept as sent; a failed call's reason is its first line", () => {
    const text = "Error: upstream refused the connection\n    at call (agent.ts:12:7)\n\n";
    const record = customLogToLoggedRequest("org-1", heliconeLog({ model: "m" }, { textBody: text, status: 500 }), [], NOW);
    expect(record).toMatchObject({ status: 500, errorReason: "Error: upstream refused the connection", responseBody: text, stream: false, promptTokens: null });
  });
});

/** A body as Helicone's JS logger builds it (url "custom-model-nopath", timing as {seconds, milliseconds}). */
function heliconeLog(
  request: Record<string, unknown>,
  { json = {}, textBody, status = 200, timeToFirstToken }: { json?: Record<string, unknown>; textBody?: string; status?: number; timeToFirstToken?: number },
) {
  const start = NOW - 2000;
  return {
    providerRequest: { url: "custom-model-nopath", json: request, meta: {} },
    providerResponse: { headers: {}, status, json, textBody },
    timing: {
      startTime: { seconds: Math.trunc(start / 1000), milliseconds: start % 1000 },
      endTime: { seconds: Math.trunc((start + 1000) / 1000), milliseconds: (start + 1000) % 1000 },
      timeToFirstToken,
    },
  };
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, source[key]])) as Pick<T, K>;
}
