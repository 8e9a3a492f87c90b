import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reloadConfig } from "../../lib/shared/config";
import { fillPostgres, fillSqlite } from "../bench/synthetic-database";
import { startApp, type RunningApp } from "../helpers/app-server";
import { queryDatabase } from "../helpers/database-contents";
import { createPostgresTestDatabase, createSqliteTestDatabase, describePostgres, type TestDatabase } from "../helpers/test-databases";

// Ingest never waits for retention: the real server starts with RETENTION_DAYS on a database
// holding 100,000 requests from months ago (with bodies, properties and built rollups), and
// custom logs, which are answered only once stored, are sent from 8 connections while its first
// run deletes them. Every call is answered 200, every one is stored, and calls were answered
// while the run was deleting (the run did not hold them until it was done).
const OLD_REQUESTS = 100_000;
const WRITERS = 8;
const RUN_WAIT_MS = 240_000;

function underLoadSuite(kind: "sqlite" | "postgres", create: () => Promise<TestDatabase>) {
  let database: TestDatabase;
  let app: RunningApp;

  beforeAll(async () => {
    database = await create();
    process.env.DATABASE_URL = database.url;
    reloadConfig();
    const { ensureFirstStart } = await import("../../lib/auth/first-start");
    const { closeDb } = await import("../../lib/storage/db");
    const { buildMetricsRollupsIfNeeded } = await import("../../lib/storage/metrics-rollup-rebuild");
    const { closeMetricsReaders } = await import("../../lib/storage/metrics");
    const { organizationId } = await ensureFirstStart({});
    // Requests every 3 s from 2026-01-01 (tests/bench/synthetic-database.ts), each with bodies of ≈ 1 KB.
    if (kind === "sqlite") fillSqlite(database.url.slice("file:".length), organizationId, OLD_REQUESTS);
    else await fillPostgres(database.url, organizationId, OLD_REQUESTS);
    const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x".repeat(450) }] });
    const addBodies = `INSERT INTO "RequestBody" ("requestId", "startTime", "requestBody", "responseBody", "requestHeaders", "responseHeaders") SELECT "id", "startTime", $1, $1, '{}', '{}' FROM "Request"`;
    if (kind === "sqlite") {
      const db = new Database(database.url.slice("file:".length));
      db.prepare(addBodies.replace("$1, $1", "?, ?")).run(body, body);
      db.close();
    } else {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query(addBodies, [body]);
      await client.end();
    }
    await buildMetricsRollupsIfNeeded({ rebuild: true });
    await closeMetricsReaders();
    await closeDb();
    app = await startApp({ databaseUrl: database.url, env: { RETENTION_DAYS: "7" } });
  }, 300_000);

  afterAll(async () => {
    await app?.stop();
    delete process.env.DATABASE_URL;
    reloadConfig();
    await database?.cleanup();
  });

  const oldLeft = async () => Number((await queryDatabase<{ n: number }>(database.url, `SELECT count(*) AS n FROM "Request" WHERE "id" LIKE 'r%'`))[0]!.n);

  it("a run deleting 100,000 requests: every custom log sent meanwhile is answered 200 and stored", async () => {
    const answered: Array<{ at: number; ms: number; id: string }> = [];
    const failures: string[] = [];
    let done = false;
    const writer = async () => {
      while (!done) {
        const sent = performance.now();
        try {
          const response = await fetch(`${app.url}/v1/trace/custom/log`, {
            method: "POST",
            headers: { authorization: `Bearer ${app.apiKey}`, "content-type": "application/json", "Helicone-Property-Load": "retention" },
            body: JSON.stringify({
              providerRequest: { url: "https://api.openai.com/v1/chat/completions", json: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }, meta: {} },
              providerResponse: { json: { id: randomUUID(), usage: { prompt_tokens: 3, completion_tokens: 2 } }, status: 200, headers: {} },
              timing: { startTime: Date.now() - 500, endTime: Date.now() },
            }),
          });
          const text = await response.text();
          if (response.status === 200) answered.push({ at: performance.now(), ms: performance.now() - sent, id: JSON.parse(text).id });
          else failures.push(`${response.status} ${text}`);
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const writers = Array.from({ length: WRITERS }, writer);

    // The run deletes while the writers write: sampled from the database itself.
    const started = performance.now();
    let deletingSince: number | null = null;
    while (!/Retention: deleted/.test(app.output())) {
      if (deletingSince === null && (await oldLeft()) < OLD_REQUESTS) deletingSince = performance.now();
      expect(performance.now() - started, `no run finished:\n${app.output()}`).toBeLessThan(RUN_WAIT_MS);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const deletedAt = performance.now();
    // A few seconds more of the same load without a run, for the figures printed below.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    done = true;
    await Promise.all(writers);

    expect(failures).toEqual([]);
    expect(app.output()).toMatch(/Retention: deleted 100,000 requests older than their window/);
    expect(await oldLeft()).toBe(0);
    // Their Insights rollups went with them: the Dashboard shows nothing for January.
    const january = Date.UTC(2026, 1, 1) / 3_600_000;
    for (const table of ["MetricsRollup", "MetricsPresence"]) {
      expect(await queryDatabase(database.url, `SELECT "hour" FROM "${table}" WHERE "hour" < $1 LIMIT 1`, [january]), table).toEqual([]);
    }
    const summary = await (
      await fetch(`${app.url}/api/v1/metrics/summary?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z`, { headers: { authorization: `Bearer ${app.apiKey}` } })
    ).json();
    expect(summary.requests).toBe(0);
    const stored = await queryDatabase<{ id: string }>(database.url, `SELECT "id" FROM "Request"`);
    expect(new Set(stored.map((row) => row.id))).toEqual(new Set(answered.map((call) => call.id)));
    expect(deletingSince).not.toBeNull();
    const during = answered.filter((call) => call.at >= deletingSince! && call.at <= deletedAt);
    expect(during.length).toBeGreaterThan(0);

    // Figures for the README (not asserted: timing depends on the machine).
    const figures = (calls: typeof answered) => {
      const ms = calls.map((call) => call.ms).sort((a, b) => a - b);
      const at = (q: number) => ms[Math.floor(q * (ms.length - 1))]!.toFixed(0);
      const seconds = calls.length > 1 ? (calls.at(-1)!.at - calls[0]!.at) / 1000 : 1;
      return `${(calls.length / seconds).toFixed(0)} calls/s, p50/p99/max ${at(0.5)}/${at(0.99)}/${at(1)} ms`;
    };
    console.log(
      `[retention under load, ${kind}] ${OLD_REQUESTS.toLocaleString("en-US")} requests deleted in ≈ ${((deletedAt - deletingSince!) / 1000).toFixed(1)} s; ` +
        `custom logs from ${WRITERS} connections during the run: ${figures(during)}; after it: ${figures(answered.filter((call) => call.at > deletedAt))}`,
    );
  }, RUN_WAIT_MS + 60_000);
}

describe("retention under ingest [sqlite]", () => underLoadSuite("sqlite", () => createSqliteTestDatabase()));
describePostgres("retention under ingest [postgres]", () => underLoadSuite("postgres", () => createPostgresTestDatabase()));
