import type { LoggedRequest } from "../domain/logged-request";
import { mayMakeRollups, unmarkedUsageRollups, type RollupCandidate } from "../domain/usage-rollup";
import { resolveDatabase } from "./database-url";
import { inWriteTransaction } from "./postgres-insert";
import { writeConnection } from "./sqlite-insert";
import { sqliteTimeMs } from "./trace-rows";

interface TraceKey {
  organizationId: string;
  traceId: string;
}

/**
 * Marks the stored spans that a batch just written made usage roll-ups (lib/domain/usage-rollup.ts):
 * usageRollup true, cost 0 and known, tokens kept. Every reader then sums costs and tokens right
 * without knowing the rule. Called once the batch is committed, never inside its transaction: a
 * trace's spans come in any order, in several batches, perhaps from several writers at once, and
 * the last writer to commit a part of a trace then reads all of it. Marks are only ever added, so
 * writers racing each other can only add the same ones; a replayed batch marks nothing new.
 *
 * Per trace the batch touched, and only if the trace holds an OTLP span (one probe of the
 * (organizationId, traceId, source) index): its requests are read (the tree needs all of them) and
 * the new roll-ups updated. A recursive SQL walk from the calls up to their ancestors was measured
 * first: without an index on node ids it re-read the trace at every step (238 ms for a
 * 2,000-span trace on SQLite), and over a materialized copy of the trace it still took 45–275 µs
 * for a 10-span trace, against ≈ 15 µs for this read and the walk in JS.
 */
export async function markUsageRollups(batch: readonly LoggedRequest[]): Promise<void> {
  const traces = tracesToCheck(batch);
  if (traces.length === 0) return;
  const database = resolveDatabase();
  if (database.kind === "sqlite") markOnSqlite(database.filePath, traces);
  else await markOnPostgres(database.url, traces);
}

function tracesToCheck(batch: readonly LoggedRequest[]): TraceKey[] {
  const traces = new Map<string, TraceKey>();
  for (const record of batch) {
    if (!mayMakeRollups(record)) continue;
    const { organizationId, traceId } = record as TraceKey;
    traces.set(`${organizationId}\u0000${traceId}`, { organizationId, traceId });
  }
  return [...traces.values()];
}

/** The columns the rule reads, in the order of the row arrays; times by each database's expression. */
const COLUMNS = [
  "id", "source", "nodeId", "parentNodeId", "status", "startTime", "endTime",
  "promptTokens", "completionTokens", "totalTokens", "costUsd", "costUnknown", "usageRollup",
] as const;

function selectList(time: (column: string) => string, table: string): string {
  return COLUMNS.map((column) => (column === "startTime" || column === "endTime" ? time(`${table}."${column}"`) : `${table}."${column}"`)).join(", ");
}

/** A row array (COLUMNS order) as the rule reads it; booleans and times already decoded. */
function candidate(row: unknown[], startMs: number, endMs: number, costUnknown: boolean, usageRollup: boolean): RollupCandidate {
  return {
    id: row[0] as string,
    source: row[1] as string,
    nodeId: row[2] as string,
    parentNodeId: row[3] as string | null,
    status: row[4] as number,
    startMs,
    endMs,
    promptTokens: row[7] as number | null,
    completionTokens: row[8] as number | null,
    totalTokens: row[9] as number | null,
    costUsd: row[10] as number | null,
    costUnknown,
    usageRollup,
  };
}

// ---------------------------------------------------------------- SQLite

// The EXISTS is evaluated once per statement: a trace without OTLP spans costs one index probe.
const SQLITE_SELECT = `SELECT ${selectList((column) => column, "r")} FROM "Request" r
  WHERE r."organizationId" = @organizationId AND r."traceId" = @traceId AND r."nodeId" IS NOT NULL
    AND EXISTS (SELECT 1 FROM "Request" WHERE "organizationId" = @organizationId AND "traceId" = @traceId AND "source" = 'otel')`;
const SQLITE_MARK = `UPDATE "Request" SET "usageRollup" = 1, "costUsd" = 0, "costUnknown" = 0 WHERE "id" = ?`;

/** On the write thread's own connection, where the batch was just inserted. */
function markOnSqlite(filePath: string, traces: readonly TraceKey[]): void {
  const connection = writeConnection(filePath);
  const prepare = (sql: string) => {
    let statement = connection.statements.get(sql);
    if (!statement) connection.statements.set(sql, (statement = connection.db.prepare(sql)));
    return statement;
  };
  const select = prepare(SQLITE_SELECT).raw(true);
  const ids: string[] = [];
  for (const trace of traces) {
    const rows = select.all(trace) as unknown[][];
    if (rows.length === 0) continue;
    ids.push(...unmarkedUsageRollups(rows.map((row) => candidate(row, sqliteTimeMs(row[5]), sqliteTimeMs(row[6]), row[11] === 1, row[12] === 1))));
  }
  if (ids.length === 0) return;
  const mark = prepare(SQLITE_MARK);
  connection.db.transaction(() => {
    for (const id of ids) mark.run(id);
  }).immediate();
}

// ---------------------------------------------------------------- PostgreSQL

// Every trace of the batch in one statement. Times as epoch ms computed by the server, as
// trace-rows.ts reads them (TIMESTAMP(3) holds UTC without a zone).
const POSTGRES_SELECT = `SELECT t."organizationId", t."traceId", ${selectList((column) => `(extract(epoch from ${column}) * 1000)::float8`, "r")}
  FROM unnest($1::text[], $2::text[]) AS t("organizationId", "traceId")
  JOIN "Request" r ON r."organizationId" = t."organizationId" AND r."traceId" = t."traceId"
  WHERE r."nodeId" IS NOT NULL
    AND EXISTS (SELECT 1 FROM "Request" o WHERE o."organizationId" = t."organizationId" AND o."traceId" = t."traceId" AND o."source" = 'otel')`;
// Ids in one order, so two writers marking the same rows lock them in the same order.
const POSTGRES_MARK = `UPDATE "Request" SET "usageRollup" = true, "costUsd" = 0, "costUnknown" = false WHERE "id" = ANY($1::text[])`;

async function markOnPostgres(url: string, traces: readonly TraceKey[]): Promise<void> {
  await inWriteTransaction(url, async (client) => {
    const { rows } = await client.query<unknown[]>({
      name: "tracewell-usage-rollup-rows",
      text: POSTGRES_SELECT,
      values: [traces.map((t) => t.organizationId), traces.map((t) => t.traceId)],
      rowMode: "array",
    });
    const byTrace = new Map<string, RollupCandidate[]>();
    for (const row of rows) {
      const key = `${row[0]}\u0000${row[1]}`;
      const fields = row.slice(2);
      let requests = byTrace.get(key);
      if (!requests) byTrace.set(key, (requests = []));
      requests.push(candidate(fields, fields[5] as number, fields[6] as number, fields[11] as boolean, fields[12] as boolean));
    }
    const ids: string[] = [];
    for (const requests of byTrace.values()) ids.push(...unmarkedUsageRollups(requests));
    if (ids.length > 0) await client.query({ name: "tracewell-usage-rollup-mark", text: POSTGRES_MARK, values: [ids.sort()] });
  });
}
