/**
 * Requests query at 1,000,000 rows, on SQLite and on PostgreSQL: rows are generated inside the
 * database (one INSERT … SELECT, seconds not minutes), then the Requests page's queries run
 * through lib/storage as the read API runs them. Target: p50/p95 ≤ 50 ms.
 *
 *   tsx tests/bench/requests-query.ts [--rows 1000000] [--runs 20] [--only sqlite|postgres]
 */
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { percentile, round, writeResult } from "./bench-processes";
import { reloadConfig } from "../../lib/shared/config";

const { values } = parseArgs({
  options: { rows: { type: "string", default: "1000000" }, runs: { type: "string", default: "20" }, only: { type: "string" } },
});
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);
const BASE_EPOCH_S = Date.UTC(2026, 0, 1) / 1000;
const SPACING_S = 3;
const MODELS = ["gpt-4o-mini", "gpt-4", "claude-sonnet-4-5", "text-embedding-3-small"];

const modelCase = (column: string) =>
  `CASE ${column} % 4 ${MODELS.map((m, i) => `WHEN ${i} THEN '${m}'`).join(" ")} END`;

function fillSqlite(file: string, organizationId: string): void {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  const time = (offset: string) => `strftime('%Y-%m-%dT%H:%M:%S', ${BASE_EPOCH_S} + i * ${SPACING_S}${offset}, 'unixepoch') || '.000+00:00'`;
  db.exec(`
    WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ${ROWS - 1})
    INSERT INTO "Request" ("id","organizationId","source","provider","model","method","path","status","startTime","endTime","latencyMs",
      "promptTokens","completionTokens","totalTokens","costUsd","traceId","nodeId","sessionId","userId","properties")
    SELECT printf('r%08d', i), '${organizationId}', 'proxy', 'openai', ${modelCase("i")}, 'POST', '/v1/chat/completions',
      CASE WHEN i % 20 = 0 THEN 500 ELSE 200 END, ${time("")}, ${time(" + 1")}, 800 + i % 700, 100, 50, 150, 0.0001,
      'trace-' || (i / 10), 'trace-' || (i / 10) || ':n' || (i % 10), 'session-' || (i / 50), 'user-' || (i % 1000),
      '{"step":"step-' || (i % 50) || '","env":"' || CASE WHEN i % 3 = 0 THEN 'dev' ELSE 'prod' END || '"}'
    FROM seq;
    INSERT INTO "RequestProperty" ("requestId","organizationId","key","value","startTime")
      SELECT "id", "organizationId", 'step', json_extract("properties", '$.step'), "startTime" FROM "Request";
    INSERT INTO "RequestProperty" ("requestId","organizationId","key","value","startTime")
      SELECT "id", "organizationId", 'env', json_extract("properties", '$.env'), "startTime" FROM "Request";
    ANALYZE;`);
  db.close();
}

async function fillPostgres(url: string, organizationId: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`
      INSERT INTO "Request" ("id","organizationId","source","provider","model","method","path","status","startTime","endTime","latencyMs",
        "promptTokens","completionTokens","totalTokens","costUsd","traceId","nodeId","sessionId","userId","properties")
      SELECT 'r' || lpad(i::text, 8, '0'), '${organizationId}', 'proxy', 'openai', ${modelCase("i")}, 'POST', '/v1/chat/completions',
        CASE WHEN i % 20 = 0 THEN 500 ELSE 200 END, to_timestamp(${BASE_EPOCH_S} + i * ${SPACING_S}), to_timestamp(${BASE_EPOCH_S} + i * ${SPACING_S} + 1),
        800 + i % 700, 100, 50, 150, 0.0001, 'trace-' || (i / 10), 'trace-' || (i / 10) || ':n' || (i % 10), 'session-' || (i / 50),
        'user-' || (i % 1000), '{"step":"step-' || (i % 50) || '","env":"' || CASE WHEN i % 3 = 0 THEN 'dev' ELSE 'prod' END || '"}'
      FROM generate_series(0, ${ROWS - 1}) AS i`);
    await client.query(`
      INSERT INTO "RequestProperty" ("requestId","organizationId","key","value","startTime")
        SELECT "id", "organizationId", 'step', "properties"::json->>'step', "startTime" FROM "Request"
        UNION ALL SELECT "id", "organizationId", 'env', "properties"::json->>'env', "startTime" FROM "Request"`);
    await client.query("ANALYZE");
  } finally {
    await client.end();
  }
}

async function measure(kind: string): Promise<Record<string, unknown>[]> {
  const { listRequests } = await import("../../lib/storage/requests");
  const { getDb } = await import("../../lib/storage/db");
  const organizationId = (await getDb().organization.findFirstOrThrow()).id;
  const middle = new Date((BASE_EPOCH_S + (ROWS / 2) * SPACING_S) * 1000);
  const hourLater = new Date(middle.getTime() + 3_600_000);
  const base = { organizationId, limit: 51 };
  const queries: Record<string, Parameters<typeof listRequests>[0]> = {
    "newest page": base,
    "model = gpt-4": { ...base, model: "gpt-4" },
    "property step = step-7": { ...base, properties: { step: "step-7" } },
    "time range (1 h)": { ...base, from: middle, to: hourLater },
    "status error": { ...base, status: "error" },
    "model + property + range": { ...base, model: "gpt-4", properties: { env: "prod" }, from: middle, to: new Date(middle.getTime() + 86_400_000) },
    "user": { ...base, userId: "user-42" },
  };
  const firstPage = await listRequests(base);
  let cursorRow = firstPage.at(-1)!;
  for (let page = 0; page < 20; page++) cursorRow = (await listRequests({ ...base, after: cursorRow })).at(-1)!;
  queries["page 21 (cursor)"] = { ...base, after: cursorRow };

  const results: Record<string, unknown>[] = [];
  for (const [name, filter] of Object.entries(queries)) {
    await listRequests(filter);
    const samples: number[] = [];
    let rows = 0;
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      rows = (await listRequests(filter)).length;
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    results.push({ database: kind, query: name, rows, "p50 ms": round(percentile(samples, 50)), "p95 ms": round(percentile(samples, 95)) });
  }
  return results;
}

async function benchDatabase(kind: "sqlite" | "postgres"): Promise<Record<string, unknown>[]> {
  const { createPostgresTestDatabase, createSqliteTestDatabase } = await import("../helpers/test-databases");
  const database = kind === "sqlite" ? await createSqliteTestDatabase() : await createPostgresTestDatabase();
  process.env.DATABASE_URL = database.url;
  reloadConfig();
  const { ensureFirstStart } = await import("../../lib/auth/first-start");
  const { closeDb } = await import("../../lib/storage/db");
  try {
    const { organizationId } = await ensureFirstStart({});
    const started = performance.now();
    if (kind === "sqlite") fillSqlite(database.url.slice("file:".length), organizationId);
    else await fillPostgres(database.url, organizationId);
    console.log(`${kind}: ${ROWS.toLocaleString()} rows generated in ${round((performance.now() - started) / 1000, 1)} s`);
    return await measure(kind);
  } finally {
    await closeDb();
    await database.cleanup();
  }
}

{
  const kinds = (values.only ? [values.only] : ["sqlite", "postgres"]) as Array<"sqlite" | "postgres">;
  const results: Record<string, unknown>[] = [];
  for (const kind of kinds) results.push(...(await benchDatabase(kind)));
  console.table(results);
  const worst = Math.max(...results.map((r) => r["p95 ms"] as number));
  console.log(`worst p95: ${worst} ms (target ≤ 50 ms)`);
  console.log(`wrote ${writeResult("requests-query", { rows: ROWS, runs: RUNS, results })}`);
}
