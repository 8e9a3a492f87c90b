import { randomUUID } from "node:crypto";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../../lib/auth/passwords";
import { startMockProvider } from "../mock-provider/server";
import { startApp, type RunningApp } from "../helpers/app-server";
import { databaseAsText, readAllTables } from "../helpers/database-contents";
import { createKeyWithCli, runKeysCli } from "../helpers/keys-cli";
import { createPostgresTestDatabase, createSqliteTestDatabase, describePostgres, type TestDatabase } from "../helpers/test-databases";
import { PROVIDER_KEY } from "../helpers/test-stack";
import { unusedPort } from "../helpers/upstream-tap";

// What an operator sees on the first `npm start` and when managing keys: the server (server.ts,
// which `npm start` runs once the dashboard is built) started on a database nothing has touched.
for (const kind of ["sqlite", "postgres"] as const) {
  (kind === "postgres" ? describePostgres : describe)(`first start and API keys [${kind}]`, () => {
    let mock: Awaited<ReturnType<typeof startMockProvider>> | undefined;
    const databases: TestDatabase[] = [];
    beforeAll(async () => {
      mock = await startMockProvider();
    });
    afterAll(async () => {
      await mock?.close();
      for (const database of databases) await database.cleanup();
    });

    /** A database with no tables at all: the server migrates it itself. */
    async function emptyDatabase(): Promise<string> {
      const database = kind === "sqlite" ? await createSqliteTestDatabase({ migrated: false }) : await createPostgresTestDatabase({ migrated: false });
      databases.push(database);
      return database.url;
    }

    /** Runs the server with exactly `env` (no SEED_API_KEY unless given), stopping it afterwards. */
    async function withServer<T>(databaseUrl: string, env: Record<string, string>, use: (app: RunningApp) => Promise<T>): Promise<T> {
      const app = await startApp({ databaseUrl, openaiUpstreamUrl: mock!.url, env: { SEED_API_KEY: "", ...env } });
      try {
        return await use(app);
      } finally {
        await app.stop();
      }
    }

    it("an empty database gets an organization, an admin and one API key, printed once; the key and the login work", async () => {
      const databaseUrl = await emptyDatabase();
      const first = await withServer(databaseUrl, {}, async (app) => {
        const output = app.output();
        expect(output).toContain("First start");
        const printed = { login: printedValue(output, "Login"), password: printedValue(output, "Password"), key: printedValue(output, "API key") };
        expect(printed.login).toBe("admin@localhost");
        expect(printed.key).toMatch(/^sk-tw-/);
        expect(await readStatus(app, printed.key)).toBe(200);
        expect(await proxiedCallStatus(app, printed.key)).toBe(200);
        expect(await readStatus(app, await logIn(app, printed.login, printed.password))).toBe(200);
        return printed;
      });

      const tables = await readAllTables(databaseUrl);
      expect(tables.Organization).toHaveLength(1);
      expect(tables.ApiKey).toHaveLength(1);
      expect(tables.User).toMatchObject([{ email: "admin@localhost", role: "admin" }]);
      const stored = await databaseAsText(databaseUrl);
      expect(stored.includes(first.key), "the key is stored only as a hash").toBe(false);
      expect(stored.includes(first.password), "the password is stored only as a hash").toBe(false);

      await withServer(databaseUrl, {}, async (app) => {
        const output = app.output();
        expect(output).not.toContain("First start");
        expect(output).not.toContain("API key:");
        expect(output).not.toContain(first.password);
        expect(await readStatus(app, first.key)).toBe(200);
      });
      const after = await readAllTables(databaseUrl);
      expect([after.Organization.length, after.ApiKey.length, after.User.length]).toEqual([1, 1, 1]);
    });

    it("SEED_API_KEY makes sure that key works, on an empty database and when added on a later start", async () => {
      const databaseUrl = await emptyDatabase();
      const seeded = `sk-tw-seed-${randomUUID()}`;
      const later = `sk-tw-seed-${randomUUID()}`;
      await withServer(databaseUrl, { SEED_API_KEY: seeded }, async (app) => {
        expect(await readStatus(app, seeded)).toBe(200);
        expect(await proxiedCallStatus(app, seeded)).toBe(200);
        expect(await readStatus(app, later)).toBe(401);
      });
      await withServer(databaseUrl, { SEED_API_KEY: later }, async (app) => {
        expect(await readStatus(app, later)).toBe(200);
        expect(await readStatus(app, seeded)).toBe(200);
      });
      expect((await databaseAsText(databaseUrl)).includes(seeded)).toBe(false);
    });

    it("ADMIN_EMAIL and ADMIN_PASSWORD create that admin, who can log in; the password is never printed or stored", async () => {
      const databaseUrl = await emptyDatabase();
      const password = "correct horse battery staple";
      await withServer(databaseUrl, { ADMIN_EMAIL: "Ops@Example.COM", ADMIN_PASSWORD: password }, async (app) => {
        expect(app.output()).toMatch(/Login:\s+ops@example\.com/);
        expect(app.output()).not.toContain(password);
        expect(await readStatus(app, await logIn(app, "ops@example.com", password))).toBe(200);
        expect(await logIn(app, "ops@example.com", "wrong password")).toBeNull();
      });
      const { User: users } = await readAllTables(databaseUrl);
      expect(users).toMatchObject([{ email: "ops@example.com", role: "admin" }]);
      expect(await verifyPassword(password, users![0]!.passwordHash as string)).toBe(true);
      expect((await databaseAsText(databaseUrl)).includes(password)).toBe(false);

      // A later start with a new ADMIN_PASSWORD changes that admin's password.
      await withServer(databaseUrl, { ADMIN_EMAIL: "ops@example.com", ADMIN_PASSWORD: "a brand new passphrase" }, async (app) => {
        expect(await logIn(app, "ops@example.com", password)).toBeNull();
        expect(await readStatus(app, await logIn(app, "ops@example.com", "a brand new passphrase"))).toBe(200);
      });
    });

    it("PORT and HOST are honoured", async () => {
      const databaseUrl = await emptyDatabase();
      const port = await unusedPort();
      await withServer(databaseUrl, { PORT: String(port), HOST: "127.0.0.1" }, async (app) => {
        expect(app.output()).toContain(`Listening on http://127.0.0.1:${port}`);
        expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
        // Bound to 127.0.0.1 only: another loopback address of this machine is not served.
        expect(await canConnect("127.0.0.2", port)).toBe(false);
      });
    });

    it("`npm run keys -- create --name ci` prints a key as its last line that the running server accepts at once", async () => {
      const databaseUrl = await emptyDatabase();
      await withServer(databaseUrl, {}, async (app) => {
        const { key, id } = await createKeyWithCli(databaseUrl, ["--name", "ci"]);
        expect(key).toMatch(/^sk-tw-/);
        expect(await readStatus(app, key)).toBe(200);
        expect(await proxiedCallStatus(app, key)).toBe(200);

        const listed = await runKeysCli(databaseUrl, ["list"]);
        expect(listed.code).toBe(0);
        expect(listed.stdout).toMatch(new RegExp(`^${id}\\t.*\\tci\\tactive$`, "m"));
        expect(listed.stdout).not.toContain(key);
      });
    });

    it("`npm run keys -- revoke <id>` makes a key the running server already uses answer 401 within seconds", async () => {
      const databaseUrl = await emptyDatabase();
      await withServer(databaseUrl, {}, async (app) => {
        const { key, id } = await createKeyWithCli(databaseUrl, ["--name", "to-revoke"]);
        expect(await proxiedCallStatus(app, key)).toBe(200);
        expect(await readStatus(app, key)).toBe(200);

        const revoked = await runKeysCli(databaseUrl, ["revoke", id]);
        expect(revoked.code).toBe(0);
        const revokedAt = Date.now();
        // The server caches a known key for 5 s (lib/auth/api-keys.ts) and the CLI, another
        // process, cannot clear that cache: the key stops working once the entry expires.
        while ((await proxiedCallStatus(app, key)) !== 401 && Date.now() - revokedAt < 15_000) await sleep(250);
        expect(Date.now() - revokedAt).toBeLessThan(7_000);
        expect(await proxiedCallStatus(app, key)).toBe(401);
        expect(await readStatus(app, key)).toBe(401);
        expect((await runKeysCli(databaseUrl, ["list"])).stdout).toMatch(new RegExp(`^${id}\\t.*\\tto-revoke\\trevoked$`, "m"));
      });
    });
  });
}

// Instances an operator starts together on a fresh PostgreSQL database (SQLite serves one box).
describePostgres("first start of several instances at once [postgres]", () => {
  it("three instances started at once on an empty database make one organization, one admin and one key", async () => {
    const mock = await startMockProvider();
    const database = await createPostgresTestDatabase({ migrated: false });
    const apps = await Promise.all([0, 1, 2].map(() => startApp({ databaseUrl: database.url, openaiUpstreamUrl: mock.url, env: { SEED_API_KEY: "" } })));
    try {
      const banners = apps.filter((app) => app.output().includes("First start"));
      expect(banners).toHaveLength(1);
      const key = printedValue(banners[0]!.output(), "API key");
      for (const app of apps) expect(await readStatus(app, key)).toBe(200);
      const tables = await readAllTables(database.url);
      expect([tables.Organization.length, tables.User.length, tables.ApiKey.length]).toEqual([1, 1, 1]);
    } finally {
      await Promise.all(apps.map((app) => app.stop()));
      await mock.close();
      await database.cleanup();
    }
  });
});

/** The value the first-start banner prints after `label:`. */
function printedValue(output: string, label: string): string {
  const value = new RegExp(`${label}:\\s+(\\S+)`).exec(output)?.[1];
  if (!value) throw new Error(`the server printed no "${label}:" line:\n${output}`);
  return value;
}

/** GET /api/v1/requests with a key (or a session cookie): the status tells whether it is accepted. */
async function readStatus(app: RunningApp, credential: string | null): Promise<number> {
  if (credential === null) throw new Error("no credential: the login failed");
  const headers: Record<string, string> = credential.startsWith("authjs.") ? { cookie: credential } : { authorization: `Bearer ${credential}` };
  return (await fetch(`${app.url}/api/v1/requests?limit=1`, { headers })).status;
}

/** A chat completion through the proxy with `key` as Helicone-Auth: its status. */
async function proxiedCallStatus(app: RunningApp, key: string): Promise<number> {
  const client = new OpenAI({ apiKey: PROVIDER_KEY, baseURL: `${app.url}/v1`, defaultHeaders: { "Helicone-Auth": `Bearer ${key}` }, maxRetries: 0 });
  try {
    await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "ping" }] });
    return 200;
  } catch (error) {
    if (error instanceof OpenAI.APIError && error.status !== undefined) return error.status;
    throw error;
  }
}

/** The dashboard's e-mail + password login (next-auth credentials): the session cookie, or null when refused. */
async function logIn(app: RunningApp, email: string, password: string): Promise<string | null> {
  const csrf = await fetch(`${app.url}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookie = csrf.headers.getSetCookie().map((cookie) => cookie.split(";")[0]).join("; ");
  const response = await fetch(`${app.url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
    body: new URLSearchParams({ email, password, csrfToken }),
  });
  const session = response.headers.getSetCookie().find((cookie) => cookie.startsWith("authjs.session-token="));
  return session ? session.split(";")[0]! : null;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}
