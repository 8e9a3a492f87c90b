import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockProvider } from "../mock-provider/server";
import { resolveDatabase } from "../../lib/storage/database-url";
import { startApp } from "../helpers/app-server";
import { startCuttableLink } from "../helpers/cuttable-link";
import { uniqueTag } from "../helpers/logged-requests";
import { createPostgresTestDatabase, describePostgres } from "../helpers/test-databases";
import { stackOf, startStack, type TestStack } from "../helpers/test-stack";

// The promise under test: a database that is locked or gone never changes what a proxied call
// gets, and nothing accepted during the outage is lost once the database is back.

// Longer than the SQLite busy timeout of the app's connections (lib/storage/db.ts: 5 s) and than
// several rounds of the log writer's retry backoff.
const SQLITE_LOCK_HELD_MS = 7000;
// lib/auth/api-keys.ts: how long the app trusts a known API key before checking it again.
const KNOWN_KEY_CACHED_MS = 5000;
// A proxied call against the mock takes milliseconds; an outage must not stretch it to seconds.
const MAX_CALL_MS_DURING_OUTAGE = 1500;

type Stack = TestStack & { stop(): Promise<void> };

/**
 * Makes proxied calls, one after another, for `durationMs` (at most 150 of them); each must get
 * its own answer, fast. Returns how many were made.
 */
async function callThroughout(stack: TestStack, tag: string, durationMs: number): Promise<number> {
  const client = stack.openai({ "Helicone-Property-Case": tag });
  const startedAt = Date.now();
  let calls = 0;
  while (calls < 150 && Date.now() - startedAt < durationMs) {
    const question = `question ${calls}`;
    const callStartedAt = performance.now();
    if (calls % 3 === 2) {
      const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: question }], stream: true });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      expect(text).toContain(`Mock answer to: ${question}`);
    } else {
      const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: question }] });
      expect(completion.choices[0]!.message.content).toContain(`Mock answer to: ${question}`);
    }
    expect(performance.now() - callStartedAt, `call ${calls}`).toBeLessThan(MAX_CALL_MS_DURING_OUTAGE);
    calls++;
    await sleep(100);
  }
  return calls;
}

/** Every call of `tag` is logged exactly once: `expected` distinct rows, not one more. */
async function expectAllLogged(stack: TestStack, tag: string, expected: number): Promise<void> {
  const rows = await stack.waitForRequests(`property.case=${tag}`, expected, 30_000);
  expect(rows).toHaveLength(expected);
  expect(new Set(rows.map((row) => row.id)).size).toBe(expected);
  expect(rows.every((row) => row.status === 200)).toBe(true);
}

/** One call before the outage: the API key is then known to the app, as for any running client. */
async function warmUp(stack: TestStack, tag: string): Promise<void> {
  await stack.openai({ "Helicone-Property-Case": tag }).chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "warm up" }] });
  await stack.waitForRequests(`property.case=${tag}`, 1);
}

describe("database outage [sqlite]", () => {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack("sqlite");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("while another connection holds the write lock past the busy timeout, every call is answered at once, and all are logged after", async () => {
    const tag = uniqueTag();
    await warmUp(stack!, tag);

    const { filePath } = resolveDatabase(stack!.databaseUrl) as { filePath: string };
    const locker = new Database(filePath);
    locker.exec("BEGIN EXCLUSIVE");
    let calls: number;
    try {
      calls = await callThroughout(stack!, tag, SQLITE_LOCK_HELD_MS);
      // The outage was real: readers still read (WAL), and nothing new could be written.
      expect(await stack!.waitForRequests(`property.case=${tag}`, 1)).toHaveLength(1);
    } finally {
      locker.exec("ROLLBACK");
      locker.close();
    }
    await expectAllLogged(stack!, tag, calls + 1);
  });
});

describePostgres("database outage [postgres]", () => {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack("postgres");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('while "Request" is locked ACCESS EXCLUSIVE in an open transaction, every call is answered at once, and all are logged after', async () => {
    const tag = uniqueTag();
    await warmUp(stack!, tag);

    const locker = new pg.Client({ connectionString: stack!.databaseUrl });
    await locker.connect();
    let calls: number;
    try {
      await locker.query("BEGIN");
      await locker.query(`LOCK TABLE "Request" IN ACCESS EXCLUSIVE MODE`);
      calls = await callThroughout(stack!, tag, 4000);
      // The outage was real: the log writer is stuck behind our lock.
      const { rows } = await locker.query(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      expect(rows[0].waiting).toBeGreaterThan(0);
    } finally {
      await locker.query("ROLLBACK").catch(() => undefined);
      await locker.end();
    }
    await expectAllLogged(stack!, tag, calls + 1);
  });
});

describePostgres("database unreachable [postgres]", () => {
  let database: Awaited<ReturnType<typeof createPostgresTestDatabase>> | undefined;
  let link: Awaited<ReturnType<typeof startCuttableLink>> | undefined;
  let mock: Awaited<ReturnType<typeof startMockProvider>> | undefined;
  let stack: TestStack | undefined;

  beforeAll(async () => {
    database = await createPostgresTestDatabase();
    const direct = new URL(database.url);
    link = await startCuttableLink(direct.hostname, Number(direct.port || 5432));
    const throughLink = new URL(database.url);
    throughLink.host = `127.0.0.1:${link.port}`;
    mock = await startMockProvider();
    const app = await startApp({ databaseUrl: throughLink.toString(), openaiUpstreamUrl: mock.url, anthropicUpstreamUrl: mock.url });
    stack = stackOf({ kind: "postgres", app, mock, databaseUrl: throughLink.toString() });
  });
  afterAll(async () => {
    await stack?.app.stop();
    await mock?.close();
    await link?.close();
    await database?.cleanup();
  });

  it("with every database connection cut and refused for a few seconds, every call is answered at once, and all are logged after", async () => {
    const tag = uniqueTag();
    await warmUp(stack!, tag);

    link!.cut();
    let calls: number;
    try {
      // Longer than the app caches a known API key (lib/auth/api-keys.ts): the calls at
      // the end need the key checked again while the database is still gone.
      calls = await callThroughout(stack!, tag, KNOWN_KEY_CACHED_MS + 3000);
    } finally {
      link!.restore();
    }
    await expectAllLogged(stack!, tag, calls + 1);
  });
});
