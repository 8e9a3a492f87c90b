import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { expect, it } from "vitest";
import { startApp } from "../helpers/app-server";
import { databaseAsText } from "../helpers/database-contents";
import { loggedRequestTagged, uniqueTag } from "../helpers/logged-requests";
import { describeOnEachDatabase, PROVIDER_KEY, type TestStack } from "../helpers/test-stack";
import { startUpstreamTap, unusedPort } from "../helpers/upstream-tap";

// What the proxy promises a caller whatever happens: our key guards it, the provider sees the
// call exactly as sent (minus our headers), the answer comes back untouched, secrets are never
// stored, and nothing about tracing or logging can break the call.
describeOnEachDatabase("OpenAI proxy safety", (stack) => {
  const ask = (content: string) => ({ model: "gpt-4o-mini", messages: [{ role: "user" as const, content }] });

  /** What the provider received for requests marked `x-test-case: <tag>` (a header we forward). */
  const upstreamSaw = (tag: string) => stack().mock.requests().filter((r) => r.headers["x-test-case"] === tag);

  function openaiWithout(heliconeAuth: string | null, tag: string): OpenAI {
    return new OpenAI({
      apiKey: PROVIDER_KEY,
      baseURL: `${stack().app.url}/v1`,
      defaultHeaders: { "x-test-case": tag, ...(heliconeAuth === null ? {} : { "Helicone-Auth": heliconeAuth }) },
      maxRetries: 0,
    });
  }

  it("without Helicone-Auth the caller gets OpenAI's 401 and the provider never sees the call", async () => {
    const tag = uniqueTag();
    const error = await openaiWithout(null, tag).chat.completions.create(ask("hello")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: "invalid_api_key", type: "invalid_request_error" });
    expect((error as Error).message).toContain("Helicone-Auth");

    const response = await fetch(`${stack().app.url}/v1/models`, { headers: { authorization: `Bearer ${PROVIDER_KEY}`, "x-test-case": tag } });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual({
      error: { message: expect.stringContaining("Helicone-Auth"), type: "invalid_request_error", param: null, code: "invalid_api_key" },
    });
    expect(upstreamSaw(tag)).toEqual([]);
  });

  it("an unknown, malformed or empty Helicone key gets OpenAI's 401 and the provider never sees the call", async () => {
    const tag = uniqueTag();
    const wrongKeys = [`Bearer ${stack().app.apiKey}x`, "Bearer sk-tw-not-a-key", stack().app.apiKey, "Bearer", "Basic dXNlcjpwYXNz"];
    for (const heliconeAuth of wrongKeys) {
      const error = await openaiWithout(heliconeAuth, tag).chat.completions.create(ask("hello")).catch((e: unknown) => e);
      expect(error, heliconeAuth).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(error).toMatchObject({ status: 401, code: "invalid_api_key" });
    }
    const streamed = await openaiWithout("Bearer sk-tw-unknown", tag)
      .chat.completions.create({ ...ask("hello"), stream: true })
      .catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(upstreamSaw(tag)).toEqual([]);
  });

  it("/anthropic without or with a wrong Helicone key gets Anthropic's 401 and the provider never sees the call", async () => {
    const tag = uniqueTag();
    for (const heliconeAuth of [null, "Bearer sk-tw-unknown"]) {
      const client = new Anthropic({
        apiKey: PROVIDER_KEY,
        baseURL: `${stack().app.url}/anthropic`,
        defaultHeaders: { "x-test-case": tag, ...(heliconeAuth ? { "Helicone-Auth": heliconeAuth } : {}) },
        maxRetries: 0,
      });
      const error = await client.messages
        .create({ model: "claude-sonnet-5-5", max_tokens: 64, messages: [{ role: "user", content: "hello" }] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
      // Anthropic's shape, with the error code every endpoint answers for a bad key.
      expect((error as InstanceType<typeof Anthropic.AuthenticationError>).error).toEqual({
        type: "error",
        error: { type: "authentication_error", code: "invalid_api_key", message: heliconeAuth ? "Invalid or revoked API key." : expect.stringContaining("Helicone-Auth") },
      });
    }
    expect(upstreamSaw(tag)).toEqual([]);
  });

  it("Helicone-* headers stay with us, while the caller's Authorization and other headers reach the provider", async () => {
    const tag = uniqueTag();
    const traceId = randomUUID();
    await stack()
      .openai({
        "x-test-case": tag,
        "Helicone-Property-Case": tag,
        "Helicone-Node-Id": `${traceId}:step`,
        "Helicone-Session-Id": "session-1",
        "Helicone-Session-Name": "Chat",
        "Helicone-User-Id": "user-1",
        "OpenAI-Organization": "org-caller",
      })
      .chat.completions.create(ask("hello"));

    const [seen] = upstreamSaw(tag);
    expect(Object.keys(seen!.headers).filter((name) => name.startsWith("helicone-"))).toEqual([]);
    expect(seen!.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(seen!.headers["openai-organization"]).toBe("org-caller");
    // We did read them: the log carries what the provider never saw.
    const logged = await loggedRequestTagged(stack(), tag);
    expect(logged).toMatchObject({ traceId, nodeId: `${traceId}:step`, sessionId: "session-1", userId: "user-1", properties: { case: tag } });
  });

  it("method, path, query string and body reach the provider exactly as sent", async () => {
    const tag = uniqueTag();
    const headers = { "Helicone-Auth": `Bearer ${stack().app.apiKey}`, authorization: `Bearer ${PROVIDER_KEY}`, "x-test-case": tag };

    const models = await fetch(`${stack().app.url}/v1/models?limit=2&order=desc&after=ft%3Agpt-4o%3Aacme`, { headers });
    expect(models.status).toBe(200);

    const response = await stack()
      .openai({ "x-test-case": tag })
      .responses.create({ model: "gpt-4o-mini", instructions: "Be brief.", input: "Explain tracing in one line", max_output_tokens: 64 });
    expect(response.output_text).toContain("Mock answer to: Explain tracing in one line");

    // A multipart upload is not JSON: it must arrive byte for byte, non-ASCII included.
    const boundary = "----tracewell-boundary";
    const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nfine-tune\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="data.jsonl"\r\n\r\n{"prompt":"Grüße 🌍"}\r\n--${boundary}--\r\n`;
    const upload = await fetch(`${stack().app.url}/v1/files`, {
      method: "POST",
      headers: { ...headers, "content-type": `multipart/form-data; boundary=${boundary}` },
      body: multipart,
    });
    expect(upload.status).toBe(400); // the mock refuses non-JSON bodies; what matters is what it received

    const deleted = await fetch(`${stack().app.url}/v1/files/file-abc123?force=true`, { method: "DELETE", headers });
    expect(deleted.status).toBe(404);

    expect(upstreamSaw(tag).map(({ method, path, body }) => ({ method, path, body }))).toEqual([
      { method: "GET", path: "/v1/models?limit=2&order=desc&after=ft%3Agpt-4o%3Aacme", body: null },
      {
        method: "POST",
        path: "/v1/responses",
        body: { model: "gpt-4o-mini", instructions: "Be brief.", input: "Explain tracing in one line", max_output_tokens: 64 },
      },
      { method: "POST", path: "/v1/files", body: multipart },
      { method: "DELETE", path: "/v1/files/file-abc123?force=true", body: null },
    ]);
    expect(upstreamSaw(tag)[2]!.headers["content-type"]).toBe(`multipart/form-data; boundary=${boundary}`);
  });

  it("an upstream 429 comes back as the provider sent it: status, retry-after and body byte for byte", async () => {
    const tag = uniqueTag();
    const init = (extra: Record<string, string>) => ({
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${PROVIDER_KEY}`, "x-mock-error-status": "429", ...extra },
      body: JSON.stringify(ask("hello")),
    });
    const direct = await fetch(`${stack().mock.url}/v1/chat/completions`, init({}));
    const proxied = await fetch(
      `${stack().app.url}/v1/chat/completions`,
      init({ "Helicone-Auth": `Bearer ${stack().app.apiKey}`, "Helicone-Property-Case": tag }),
    );

    expect(proxied.status).toBe(429);
    expect(await proxied.text()).toBe(await direct.text());
    for (const name of ["retry-after", "content-type", "content-length"]) {
      expect(proxied.headers.get(name), name).toBe(direct.headers.get(name));
    }
    expect(proxied.headers.get("x-request-id")).toMatch(/^req_mock\d+$/);

    const error = await stack()
      .openai({ "x-mock-error-status": "429" })
      .chat.completions.create(ask("hello"))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get("retry-after")).toBe("1");

    const logged = await loggedRequestTagged(stack(), tag);
    expect(logged).toMatchObject({ status: 429, errorReason: expect.stringContaining("Rate limit reached") });
  });

  it("provider keys, cookies and our own key are stored nowhere: no column of any table holds them", async () => {
    const tag = uniqueTag();
    const secrets = {
      authorization: PROVIDER_KEY,
      xApiKey: `sk-x-api-key-${randomUUID()}`,
      apiKey: `azure-api-key-${randomUUID()}`,
      cookie: `session-cookie-${randomUUID()}`,
      anthropic: `sk-ant-${randomUUID()}`,
    };
    const leaky = {
      "Helicone-Property-Case": tag,
      "x-api-key": secrets.xApiKey,
      "api-key": secrets.apiKey,
      cookie: `session=${secrets.cookie}; theme=dark`,
    };
    const client = stack().openai(leaky);
    await client.chat.completions.create(ask("plain call"));
    const stream = await client.chat.completions.create({ ...ask("streamed call"), stream: true, stream_options: { include_usage: true } });
    for await (const _chunk of stream) {
      // drain: the log is written once the stream ends
    }
    await expect(stack().openai({ ...leaky, "x-mock-error-status": "401" }).chat.completions.create(ask("refused"))).rejects.toThrow();
    await client.embeddings.create({ model: "text-embedding-3-small", input: "embed me" }, { headers: { "Helicone-Node-Id": "a::b" } });
    const anthropic = new Anthropic({
      apiKey: secrets.anthropic,
      baseURL: `${stack().app.url}/anthropic`,
      defaultHeaders: { "Helicone-Auth": `Bearer ${stack().app.apiKey}`, "Helicone-Property-Case": tag, cookie: leaky.cookie },
      maxRetries: 0,
    });
    await anthropic.messages.create({ model: "claude-sonnet-5-5", max_tokens: 64, messages: [{ role: "user", content: "hello" }] });
    await stack().waitForRequests(`property.case=${tag}`, 5);

    const everything = await databaseAsText(stack().databaseUrl);
    // The dump really holds these calls (their bodies and headers), so a miss below means something.
    expect(everything).toContain(tag);
    expect(everything).toContain("streamed call");
    expect(everything).toContain("[redacted]");
    for (const [name, secret] of Object.entries(secrets)) expect(everything.includes(secret), name).toBe(false);
    expect(everything.includes(stack().app.apiKey), "Helicone key").toBe(false);
  });

  it("an unreachable provider answers an OpenAI-shaped 502, and the failed call is logged", async () => {
    const deadUpstream = `http://127.0.0.1:${await unusedPort()}`;
    const app = await startApp({ databaseUrl: stack().databaseUrl, openaiUpstreamUrl: deadUpstream });
    try {
      const tag = uniqueTag();
      const client = new OpenAI({
        apiKey: PROVIDER_KEY,
        baseURL: `${app.url}/v1`,
        defaultHeaders: { "Helicone-Auth": `Bearer ${app.apiKey}`, "Helicone-Property-Case": tag },
        maxRetries: 0,
      });
      const error = await client.chat.completions.create(ask("anyone there?")).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect(error).toMatchObject({
        status: 502,
        error: { type: "server_error", code: "upstream_unreachable", param: null, message: expect.stringContaining("Could not reach the provider") },
      });

      const logged = await loggedRequestTagged(stack(), tag);
      expect(logged).toMatchObject({ status: 502, cancelled: false, model: "gpt-4o-mini", errorReason: expect.stringContaining("ECONNREFUSED") });
      expect(logged.requestBody).toEqual(ask("anyone there?"));
    } finally {
      await app.stop();
    }
  });

  it("a client that hangs up mid-stream cancels the upstream call; the log says cancelled and keeps the partial answer", async () => {
    const tap = await startUpstreamTap(stack().mock.url);
    const app = await startApp({ databaseUrl: stack().databaseUrl, openaiUpstreamUrl: tap.url });
    try {
      const tag = uniqueTag();
      const prompt = "Write a long story about distributed tracing";
      const client = new OpenAI({
        apiKey: PROVIDER_KEY,
        baseURL: `${app.url}/v1`,
        defaultHeaders: { "Helicone-Auth": `Bearer ${app.apiKey}`, "x-mock-chunk-delay-ms": "40", "x-mock-completion-tokens": "60" },
        maxRetries: 0,
      });
      const full = await client.chat.completions.create(ask(prompt), { headers: { "x-mock-chunk-delay-ms": "0" } });
      const fullText = full.choices[0]!.message.content!;

      const abort = new AbortController();
      const stream = await client.chat.completions.create(
        { ...ask(prompt), stream: true },
        { signal: abort.signal, headers: { "Helicone-Property-Case": tag, "x-test-case": tag } },
      );
      let received = "";
      let contentChunks = 0;
      try {
        for await (const chunk of stream) {
          const content = chunk.choices[0]?.delta.content;
          if (!content) continue;
          received += content;
          if (++contentChunks === 5) abort.abort();
        }
      } catch (error) {
        expect(error).toBeInstanceOf(OpenAI.APIUserAbortError);
      }
      expect(contentChunks).toBe(5);

      const logged = await loggedRequestTagged(stack(), tag);
      expect(logged).toMatchObject({ status: 200, cancelled: true, stream: true, errorReason: expect.stringContaining("cancelled") });
      const partial: string = logged.responseBody.choices[0].message.content;
      expect(partial.startsWith(received)).toBe(true);
      expect(fullText.startsWith(partial)).toBe(true);
      expect(partial.length).toBeLessThan(fullText.length);

      // The provider's side was cut too, long before its 60 × 40 ms answer could have ended.
      const upstream = tap.exchanges.find((exchange) => exchange.headers["x-test-case"] === tag);
      for (let i = 0; i < 100 && upstream?.closedBeforeEnd === null; i++) await sleep(20);
      expect(upstream?.closedBeforeEnd).toBe(true);
    } finally {
      await app.stop();
      await tap.close();
    }
  });

  it.each([
    ["an empty segment", (root: string) => `${root}::child`, /empty segment/],
    ["300 levels", (root: string) => [root, ...Array.from({ length: 299 }, (_, i) => `l${i}`)].join(":"), /300 levels; the limit is 256/],
    ["10 KB", (root: string) => `${root}:${"x".repeat(10 * 1024)}`, /characters long; the limit is 4096/],
  ])("a node id with %s never breaks the call: it is answered and logged untraced with the reason", async (_name, nodeIdFor, reason) => {
    const tag = uniqueTag();
    const root = randomUUID();
    const completion = await stack()
      .openai({ "Helicone-Property-Case": tag, "Helicone-Node-Id": nodeIdFor(root) })
      .chat.completions.create(ask("still answered"));
    expect(completion.choices[0]!.message.content).toContain("Mock answer to: still answered");

    const logged = await loggedRequestTagged(stack(), tag);
    expect(logged).toMatchObject({ status: 200, traceId: null, nodeId: null, parentNodeId: null });
    expect(logged.traceError).toMatch(/^Helicone-Node-Id ignored: /);
    expect(logged.traceError).toMatch(reason);
    expect((await stack().api(`/api/v1/traces/${root}`)).status).toBe(404);
  });

  it("the same node id logged twice is one node with both attempts", async () => {
    const root = randomUUID();
    const client = stack().openai();
    await client.chat.completions.create(ask("plan"), { headers: { "Helicone-Node-Id": root } });
    await expect(
      client.chat.completions.create(ask("step"), { headers: { "Helicone-Node-Id": `${root}:step`, "x-mock-error-status": "500" } }),
    ).rejects.toMatchObject({ status: 500 });
    await client.chat.completions.create(ask("step"), { headers: { "Helicone-Node-Id": `${root}:step` } });

    const trace = await traceOf(stack(), root, 3);
    const steps = trace.nodes.filter((n: any) => n.id === `${root}:step`);
    expect(steps).toHaveLength(1);
    expect(steps[0].parentId).toBe(root);
    expect(steps[0].requests.map((r: any) => r.status).sort()).toEqual([200, 500]);
    expect(trace.nodes).toHaveLength(2);
  });

  it("a child that arrives before its parent still hangs under it once the parent arrives", async () => {
    const root = randomUUID();
    const client = stack().openai();
    await client.chat.completions.create(ask("child first"), { headers: { "Helicone-Node-Id": `${root}:child` } });
    const early = await traceOf(stack(), root, 1);
    expect(early.nodes.find((n: any) => n.id === root)).toMatchObject({ virtual: true, requests: [] });

    await client.chat.completions.create(ask("parent later"), { headers: { "Helicone-Node-Id": root } });
    const trace = await traceOf(stack(), root, 2);
    const byId = Object.fromEntries(trace.nodes.map((n: any) => [n.id, n]));
    expect(Object.keys(byId).sort()).toEqual([root, `${root}:child`].sort());
    expect(byId[root]).toMatchObject({ virtual: false, parentId: null, depth: 1 });
    expect(byId[root].requests).toHaveLength(1);
    expect(byId[`${root}:child`]).toMatchObject({ virtual: false, parentId: root, depth: 2 });
    expect(trace.metrics).toMatchObject({ nodeCount: 2, maxDepth: 2, successRate: 1 });
  });
});

async function traceOf(stack: TestStack, traceId: string, requests: number) {
  await stack.waitForRequests(`traceId=${encodeURIComponent(traceId)}`, requests);
  const { status, body } = await stack.api(`/api/v1/traces/${encodeURIComponent(traceId)}`);
  expect(status).toBe(200);
  return body;
}
