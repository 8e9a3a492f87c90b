/**
 * A million logged requests in seconds, generated inside the database (one INSERT … SELECT) on
 * SQLite or PostgreSQL, for the benches that read them (requests-query, insights): one request
 * every 3 s from 2026-01-01 (1,000,000 span 34.7 days), four models, one in twenty a 500, traces
 * of ten nodes, sessions of fifty requests, 1,000 users, properties `step` (50 values) and `env`
 * (dev one in three, else prod).
 */
import Database from "better-sqlite3";
import pg from "pg";

export const BASE_EPOCH_S = Date.UTC(2026, 0, 1) / 1000;
export const SPACING_S = 3;
const MODELS = ["gpt-4o-mini", "gpt-4", "claude-sonnet-4-5", "text-embedding-3-small"];

const modelCase = (column: string) =>
  `CASE ${column} % 4 ${MODELS.map((m, i) => `WHEN ${i} THEN '${m}'`).join(" ")} END`;

export function fillSqlite(file: string, organizationId: string, rows: number): void {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  const time = (offset: string) => `strftime('%Y-%m-%dT%H:%M:%S', ${BASE_EPOCH_S} + i * ${SPACING_S}${offset}, 'unixepoch') || '.000+00:00'`;
  db.exec(`
    WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ${rows - 1})
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

export async function fillPostgres(url: string, organizationId: string, rows: number): Promise<void> {
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
      FROM generate_series(0, ${rows - 1}) AS i`);
    await client.query(`
      INSERT INTO "RequestProperty" ("requestId","organizationId","key","value","startTime")
        SELECT "id", "organizationId", 'step', "properties"::json->>'step', "startTime" FROM "Request"
        UNION ALL SELECT "id", "organizationId", 'env', "properties"::json->>'env', "startTime" FROM "Request"`);
    await client.query("ANALYZE");
  } finally {
    await client.end();
  }
}

/**
 * SQLite, PostgreSQL with the plain tables of a database from before issue 15, or PostgreSQL with
 * the request tables partitioned by time, as a server start leaves them (lib/storage/partitions.ts).
 */
export type SyntheticDatabaseKind = "sqlite" | "postgres" | "postgres-partitioned";

/**
 * A fresh database of `kind` with `rows` synthetic requests in the default organization, the app's
 * storage pointed at it (DATABASE_URL), handed to `measure`; closed and removed afterwards. A
 * partitioned one is filled unpartitioned, then taken over as a start takes over an older
 * database (the time it took is printed), and given the partitions ahead.
 */
export async function withSyntheticDatabase<T>(
  kind: SyntheticDatabaseKind,
  rows: number,
  measure: (database: { url: string; organizationId: string }) => Promise<T>,
  { rollups = true }: { rollups?: boolean } = {},
): Promise<T> {
  const { createPostgresTestDatabase, createSqliteTestDatabase } = await import("../helpers/test-databases");
  const database = kind === "sqlite" ? await createSqliteTestDatabase() : await createPostgresTestDatabase({ partitioned: false });
  process.env.DATABASE_URL = database.url;
  const { reloadConfig } = await import("../../lib/shared/config");
  reloadConfig();
  const { ensureFirstStart } = await import("../../lib/auth/first-start");
  const { closeDb } = await import("../../lib/storage/db");
  const { closeMetricsReaders } = await import("../../lib/storage/metrics");
  try {
    const { organizationId } = await ensureFirstStart({});
    const started = performance.now();
    if (kind === "sqlite") fillSqlite(database.url.slice("file:".length), organizationId, rows);
    else await fillPostgres(database.url, organizationId, rows);
    console.log(`${kind}: ${rows.toLocaleString()} rows generated in ${Math.round((performance.now() - started) / 100) / 10} s`);
    if (kind === "postgres-partitioned") {
      const { createPartitionsAhead, ensurePartitionedLayout } = await import("../../lib/storage/partitions");
      const takeOver = (await ensurePartitionedLayout(database.url))!;
      await createPartitionsAhead(database.url, new Date());
      console.log(`${kind}: taken over (${takeOver.requests.toLocaleString()} requests, ${takeOver.partitions} daily partitions) in ${Math.round(takeOver.durationMs / 100) / 10} s`);
    }
    // Written beside the write path, so the Insights rollups are built from them as for an older
    // database (`rollups: false`: a bench that reads no metrics skips it).
    if (rollups) {
      const building = performance.now();
      const { buildMetricsRollupsIfNeeded } = await import("../../lib/storage/metrics-rollup-rebuild");
      await buildMetricsRollupsIfNeeded({ rebuild: true });
      console.log(`${kind}: Insights rollups built in ${Math.round((performance.now() - building) / 100) / 10} s`);
    }
    return await measure({ url: database.url, organizationId });
  } finally {
    await closeMetricsReaders();
    await closeDb();
    await database.cleanup();
  }
}
