import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockProvider } from "../mock-provider/server";
import { startApp, type RunningApp } from "../helpers/app-server";
import { createKeyWithCli } from "../helpers/keys-cli";
import { jsonExportRequest, randomHexId } from "../helpers/otlp-requests";
import { createPostgresTestDatabase, createSqliteTestDatabase, describePostgres, type TestDatabase } from "../helpers/test-databases";
import { PROVIDER_KEY, type DatabaseKindUnderTest } from "../helpers/test-stack";
import { startUpstreamTap } from "../helpers/upstream-tap";

// Per API key: one request every 4 s on average (slow enough that a busy machine cannot refill a
// token mid-test), bursts of 4. A refused request gets 429 with Retry-After, is never forwarded to
// the provider, and costs no other key anything.
const LIMITS = { RATE_LIMIT_PER_SECOND: "0.25", RATE_LIMIT_BURST: "4" };

function defineSuite(kind: DatabaseKindUnderTest) {
  return () => {
    let database: TestDatabase;
    let mock: Awaited<ReturnType<typeof startMockProvider>>;
    let tap: Awaited<ReturnType<typeof startUpstreamTap>>;
    let app: RunningApp;

    beforeAll(async () => {
      database = kind === "sqlite" ? await createSqliteTestDatabase() : await createPostgresTestDatabase();
      mock = await startMockProvider();
      tap = await startUpstreamTap(mock.url);
      app = await startApp({ databaseUrl: database.url, openaiUpstreamUrl: tap.url, anthropicUpstreamUrl: tap.url, env: LIMITS });
    });
    afterAll(async () => {
      await app?.stop();
      await tap?.close();
      await mock?.close();
      await database?.cleanup();
    });

    const freshKey = async () => (await createKeyWithCli(database.url, ["--name", `limited ${randomHexId(8)}`])).key;
    const openai = (key: string) => new OpenAI({ apiKey: PROVIDER_KEY, baseURL: `${app.url}/v1`, defaultHeaders: { "Helicone-Auth": `Bearer ${key}` }, maxRetries: 0 });
    const ask = (key: string) => openai(key).chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });

    it("the proxy answers 429 in OpenAI's error shape with Retry-After past the burst, without calling the provider", async () => {
      const key = await freshKey();
      for (let i = 0; i < 4; i++) await ask(key);
      const forwardedBefore = tap.exchanges.length;

      const refused = await ask(key).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
      const rateLimited = refused as InstanceType<typeof OpenAI.RateLimitError>;
      expect(rateLimited.status).toBe(429);
      expect(rateLimited.message).toMatch(/rate limit exceeded: this API key may make 0.25 requests per second/i);
      expect(Number(rateLimited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(tap.exchanges.length).toBe(forwardedBefore);

      // Another key of the same organization is not held back by this one.
      await expect(ask(await freshKey())).resolves.toMatchObject({ object: "chat.completion" });

      // After waiting as told, the key works again.
      await new Promise((resolve) => setTimeout(resolve, Number(rateLimited.headers.get("retry-after")) * 1000));
      await expect(ask(key)).resolves.toMatchObject({ object: "chat.completion" });
    });

    it("the custom-log, OTLP and read API endpoints share the key's budget and answer 429 with Retry-After", async () => {
      const key = await freshKey();
      const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
      const now = Date.now();
      const calls = [
        () => fetch(`${app.url}/api/v1/requests?limit=1`, { headers }),
        () =>
          fetch(`${app.url}/v1/traces`, {
            method: "POST",
            headers,
            body: JSON.stringify(jsonExportRequest([{ traceId: randomHexId(16), spanId: randomHexId(8), name: "step", startMs: now - 10, endMs: now }])),
          }),
        () =>
          fetch(`${app.url}/v1/trace/custom/log`, {
            method: "POST",
            headers,
            body: JSON.stringify({
              providerRequest: { url: "https://api.openai.com/v1/chat/completions", json: { model: "gpt-4o-mini", messages: [] }, meta: {} },
              providerResponse: { json: {}, status: 200, headers: {} },
              timing: { startTime: now - 1000, endTime: now },
              provider: "openai",
            }),
          }),
      ];
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await calls[i % 3]!()).status);
      expect(statuses).toEqual([200, 200, 200, 200]);

      for (const call of calls) {
        const response = await call();
        expect(response.status).toBe(429);
        expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
        // The read API and custom log answer {error: {code, message}}; OTLP its own {message}.
        const body = (await response.json()) as { error?: { message: string }; message?: string };
        expect(body.error?.message ?? body.message).toMatch(/rate limit exceeded: .* retry after \d+ s/i);
      }
    });
  };
}

describe("rate limit per API key [sqlite]", defineSuite("sqlite"));
describePostgres("rate limit per API key [postgres]", defineSuite("postgres"));
