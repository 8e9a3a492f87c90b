import { createServer, type Server } from "node:net";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockProvider } from "../mock-provider/server";
import { startApp, type RunningApp } from "../helpers/app-server";
import { createPostgresTestDatabase, createSqliteTestDatabase, describePostgres, type TestDatabase } from "../helpers/test-databases";
import { PROVIDER_KEY, type DatabaseKindUnderTest } from "../helpers/test-stack";
import { startUpstreamTap } from "../helpers/upstream-tap";

// Upstreams come from the server's configuration. A client may pick another per call with
// Helicone-Target-Url only when the operator allowlisted that origin; any other target is refused
// before a single byte is sent to it (no SSRF through the proxy).

/** A TCP listener that only counts who connects: the host an attacker would like us to reach. */
async function startCanary(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, connections: () => connections, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function defineSuite(kind: DatabaseKindUnderTest) {
  return () => {
    let database: TestDatabase;
    let mock: Awaited<ReturnType<typeof startMockProvider>>;
    let configured: Awaited<ReturnType<typeof startUpstreamTap>>;
    let allowed: Awaited<ReturnType<typeof startUpstreamTap>>;
    let canary: Awaited<ReturnType<typeof startCanary>>;
    let app: RunningApp;

    beforeAll(async () => {
      database = kind === "sqlite" ? await createSqliteTestDatabase() : await createPostgresTestDatabase();
      mock = await startMockProvider();
      configured = await startUpstreamTap(mock.url);
      allowed = await startUpstreamTap(mock.url);
      canary = await startCanary();
      app = await startApp({
        databaseUrl: database.url,
        openaiUpstreamUrl: configured.url,
        anthropicUpstreamUrl: configured.url,
        env: { UPSTREAM_ALLOWLIST: `${allowed.url}, https://api.together.xyz` },
      });
    });
    afterAll(async () => {
      await app?.stop();
      await Promise.all([configured?.close(), allowed?.close(), canary?.close()]);
      await mock?.close();
      await database?.cleanup();
    });

    const ask = (headers: Record<string, string> = {}) =>
      new OpenAI({ apiKey: PROVIDER_KEY, baseURL: `${app.url}/v1`, defaultHeaders: { "Helicone-Auth": `Bearer ${app.apiKey}`, ...headers }, maxRetries: 0 }).chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "where do I go?" }],
      });

    it("without Helicone-Target-Url the call goes to the configured upstream", async () => {
      const before = configured.exchanges.length;
      await ask();
      expect(configured.exchanges.length).toBe(before + 1);
    });

    it("an allowlisted target gets the call, with the path the client asked for", async () => {
      await expect(ask({ "Helicone-Target-Url": allowed.url })).resolves.toMatchObject({ object: "chat.completion" });
      expect(allowed.exchanges.at(-1)?.path).toBe("/v1/chat/completions");
    });

    it.each([
      ["a host not on the allowlist", (canaryUrl: string) => canaryUrl],
      ["the same port by another name", (canaryUrl: string) => canaryUrl.replace("127.0.0.1", "localhost")],
      ["an allowlisted name hiding another host in userinfo", (canaryUrl: string) => `https://api.together.xyz@${canaryUrl.slice("http://".length)}`],
    ])("%s: OpenAI-shaped 400 naming the header, and nothing reaches the target", async (_, target) => {
      const forwardedBefore = configured.exchanges.length + allowed.exchanges.length;
      const refused = await ask({ "Helicone-Target-Url": target(canary.url) }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
      expect((refused as Error).message).toMatch(/Helicone-Target-Url/);
      expect(canary.connections()).toBe(0);
      expect(configured.exchanges.length + allowed.exchanges.length).toBe(forwardedBefore);
    });
  };
}

describe("upstream allowlist [sqlite]", defineSuite("sqlite"));
describePostgres("upstream allowlist [postgres]", defineSuite("postgres"));
