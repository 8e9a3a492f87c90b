import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockProvider } from "../mock-provider/server";
import { startApp, type RunningApp } from "../helpers/app-server";
import { queryDatabase } from "../helpers/database-contents";
import { postCustomLog, uniqueTag } from "../helpers/logged-requests";
import { holdWriteLock } from "../helpers/write-lock";
import { jsonExportRequest, randomHexId } from "../helpers/otlp-requests";
import { createPostgresTestDatabase, createSqliteTestDatabase, describePostgres, type TestDatabase } from "../helpers/test-databases";
import { stackOf, type DatabaseKindUnderTest } from "../helpers/test-stack";

// The promise under test: an answer of 200 to a custom log or an OTLP export means it is stored,
// a proxied call answered in full is logged, and a proxied call's log accepted while the database
// is away is on disk; none is lost when the server is killed (SIGKILL: no shutdown, nothing
// flushed) right after.

/** Counts stored requests tagged with property case=<tag>, reading the database directly. */
async function countTagged(databaseUrl: string, tag: string): Promise<number> {
  const [row] = await queryDatabase<{ n: number | string }>(databaseUrl, `SELECT count(*) AS n FROM "RequestProperty" WHERE "key" = 'case' AND "value" = $1`, [tag]);
  return Number(row!.n);
}

async function waitForCount(databaseUrl: string, tag: string, expected: number, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let count = await countTagged(databaseUrl, tag);
  while (count < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    count = await countTagged(databaseUrl, tag);
  }
  return count;
}

function otlpExport(app: RunningApp, tag: string, spans: number): Promise<Response> {
  const traceId = randomHexId(16);
  const now = Date.now();
  const request = jsonExportRequest(
    Array.from({ length: spans }, (_, i) => ({ traceId, spanId: randomHexId(8), name: `step ${i}`, startMs: now - 1000, endMs: now, attributes: { "helicone.property.case": tag } })),
  );
  return fetch(`${app.url}/v1/traces`, {
    method: "POST",
    headers: { authorization: `Bearer ${app.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(request),
  });
}

async function health(app: RunningApp): Promise<{ logQueue: { queued: number; spooled: number; dropped: number } }> {
  return (await fetch(`${app.url}/api/health`)).json();
}

function defineSuite(kind: DatabaseKindUnderTest) {
  return () => {
    let database: TestDatabase;
    let mock: Awaited<ReturnType<typeof startMockProvider>>;
    let app: RunningApp;
    const start = () => startApp({ databaseUrl: database.url, openaiUpstreamUrl: mock.url, anthropicUpstreamUrl: mock.url });

    beforeAll(async () => {
      database = kind === "sqlite" ? await createSqliteTestDatabase() : await createPostgresTestDatabase();
      mock = await startMockProvider();
      app = await start();
    });
    afterAll(async () => {
      await app?.stop();
      await mock?.close();
      await database?.cleanup();
    });

    it("custom logs and OTLP exports answered 200 are all stored, though the server is killed right after the last answer", async () => {
      const tag = uniqueTag();
      const answers = await Promise.all([
        ...Array.from({ length: 30 }, (_, i) => postCustomLog(app, tag, i)),
        otlpExport(app, tag, 100),
        otlpExport(app, tag, 100),
      ]);
      await app.crash();
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
      expect(await countTagged(database.url, tag)).toBe(230);
      app = await start();
    });

    it("proxied calls answered in full are all logged, though the server is killed right after the last answer", async () => {
      const tag = uniqueTag();
      const openai = stackOf({ kind, app, mock, databaseUrl: database.url }).openai({ "Helicone-Property-Case": tag });
      const calls = Array.from({ length: 40 }, async (_, i) => {
        const messages = [{ role: "user" as const, content: `call ${i}` }];
        if (i % 2 === 0) return (await openai.chat.completions.create({ model: "gpt-4o-mini", messages })).choices[0]!.message.content;
        let text = "";
        for await (const chunk of await openai.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true })) text += chunk.choices[0]?.delta.content ?? "";
        return text;
      });
      const answers = await Promise.all(calls);
      await app.crash();
      expect(answers.every((answer) => answer?.includes("Mock answer to: call"))).toBe(true);
      expect(await countTagged(database.url, tag)).toBe(40);
      app = await start();
    });

    it("logs accepted while the database cannot be written are spooled to disk, survive a kill, and are stored after the restart", async () => {
      const tag = uniqueTag();
      const openai = () => stackOf({ kind, app, mock, databaseUrl: database.url }).openai({ "Helicone-Property-Case": tag });
      await openai().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "warm up" }] });
      expect(await waitForCount(database.url, tag, 1)).toBe(1);

      const unlock = await holdWriteLock(database.url);
      try {
        const calls = Array.from({ length: 20 }, (_, i) =>
          openai().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: `during the outage ${i}` }] }),
        );
        for (const completion of await Promise.all(calls)) expect(completion.choices[0]!.message.content).toContain("Mock answer to: during the outage");
        // A custom log waits for its first failed write (a few seconds), then answers 200 from the spool.
        const logs = await Promise.all(Array.from({ length: 5 }, (_, i) => postCustomLog(app, tag, i)));
        expect(logs.map((log) => log.status)).toEqual([200, 200, 200, 200, 200]);

        let queue = (await health(app)).logQueue;
        for (let i = 0; i < 100 && (queue.spooled < 25 || queue.queued > 0); i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          queue = (await health(app)).logQueue;
        }
        expect(queue).toMatchObject({ spooled: 25, queued: 0, dropped: 0 });
        expect(await countTagged(database.url, tag)).toBe(1); // the outage was real: nothing new was written
        await app.crash();
      } finally {
        await unlock();
      }

      app = await start();
      expect(await waitForCount(database.url, tag, 26)).toBe(26);
      expect((await health(app)).logQueue).toMatchObject({ spooled: 0, queued: 0 });
    });
  };
}

describe("durability [sqlite]", defineSuite("sqlite"));
describePostgres("durability [postgres]", defineSuite("postgres"));
