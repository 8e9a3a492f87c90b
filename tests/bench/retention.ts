/**
 * `npm run bench -- retention`: what each step of a retention run (lib/storage/retention-steps.ts)
 * costs, on SQLite and PostgreSQL, over 100,000 synthetic requests (tests/bench/synthetic-database.ts:
 * one every 3 s from 2026-01-01, ≈ 1 KB of bodies each, two property rows, built rollups) cut at
 * 2026-01-03 12:30: 15,000 requests taken out of that day's rollups 500 a step, the hour the cut
 * falls in recounted, the older days' rollup rows dropped, then 57,600 older requests deleted
 * 1,000 a step. Each step is one transaction: on SQLite, how long it holds the one writer (the
 * log batches wait that long at most). Steps run back to back here, without the run's pauses.
 */
import pg from "pg";
import Database from "better-sqlite3";
import { withSyntheticDatabase } from "./synthetic-database";
import type { RetentionStep } from "../../lib/storage/retention-steps";

const ROWS = 100_000;
const CUT = { cutoffMs: Date.UTC(2026, 0, 3, 12, 30), dayStartMs: Date.UTC(2026, 0, 3), hourStartMs: Date.UTC(2026, 0, 3, 12) };
const BODY = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x".repeat(450) }] });
const ADD_BODIES = `INSERT INTO "RequestBody" ("requestId", "startTime", "requestBody", "responseBody", "requestHeaders", "responseHeaders") SELECT "id", "startTime", $1, $1, '{}', '{}' FROM "Request"`;

type Timings = Map<string, { ms: number[]; rows: number }>;

async function measure(kind: "sqlite" | "postgres"): Promise<Timings> {
  return withSyntheticDatabase(kind, ROWS, async ({ url, organizationId }) => {
    const steps = await import("../../lib/storage/retention-steps");
    let client: pg.PoolClient | null = null;
    let pool: pg.Pool | null = null;
    if (kind === "sqlite") {
      const db = new Database(url.slice("file:".length));
      db.prepare(ADD_BODIES.replace("$1, $1", "?, ?")).run(BODY, BODY);
      db.close();
    } else {
      pool = new pg.Pool({ connectionString: url, max: 1 });
      client = await pool.connect();
      await client.query(ADD_BODIES, [BODY]);
      // The generator analyzed the tables before the rollups were built; autovacuum would soon.
      await client.query("ANALYZE");
    }
    const run = (step: RetentionStep) => (client ? steps.runPostgresRetentionStep(client, step) : Promise.resolve(steps.runSqliteRetentionStep(step)));
    const timings: Timings = new Map();
    const timed = async (label: string, step: RetentionStep) => {
      const started = performance.now();
      const rows = await run(step);
      const entry = timings.get(label) ?? { ms: [], rows: 0 };
      entry.ms.push(performance.now() - started);
      entry.rows += rows;
      timings.set(label, entry);
      return rows;
    };
    const repeat = async (label: string, step: RetentionStep & { limit: number }) => {
      while ((await timed(label, step)) === step.limit);
    };
    await repeat("take out 500 requests (cut day)", { kind: "takeOutRequests", organizationId, fromMs: CUT.dayStartMs, beforeMs: CUT.cutoffMs, limit: 500 });
    await timed("recount the cut hour's presence", { kind: "recountPresence", organizationId, cut: CUT });
    await repeat("drop 5,000 rollup rows (older days)", { kind: "dropRollupHours", organizationId, beforeHour: CUT.dayStartMs / 3_600_000, limit: 5_000 });
    await repeat("delete 1,000 requests (older days)", { kind: "deleteRequests", organizationId, beforeMs: CUT.dayStartMs, limit: 1_000 });
    client?.release();
    await pool?.end();
    return timings;
  });
}

const results: Record<string, Record<string, unknown>> = {};
for (const kind of ["sqlite", "postgres"] as const) {
  const timings = await measure(kind);
  console.log(`\n${kind}: step | steps | rows | ms per step p50 / max | rows per second while stepping`);
  for (const [label, { ms, rows }] of timings) {
    const sorted = [...ms].sort((a, b) => a - b);
    const total = ms.reduce((sum, value) => sum + value, 0);
    const row = { steps: ms.length, rows, p50Ms: Math.round(sorted[Math.floor((sorted.length - 1) / 2)]!), maxMs: Math.round(sorted.at(-1)!), rowsPerSecond: Math.round((rows / total) * 1000) };
    results[`${kind}: ${label}`] = row;
    console.log(`${label} | ${row.steps} | ${rows.toLocaleString("en-US")} | ${row.p50Ms} / ${row.maxMs} | ${row.rowsPerSecond.toLocaleString("en-US")}`);
  }
}
const { mkdirSync, writeFileSync } = await import("node:fs");
mkdirSync("bench-results", { recursive: true });
writeFileSync("bench-results/retention.json", JSON.stringify(results, null, 2));
