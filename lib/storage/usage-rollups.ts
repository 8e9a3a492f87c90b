import type { LoggedRequest } from "../domain/logged-request";
import { mayMakeRollups, unmarkedUsageRollups, type RollupCandidate } from "../domain/usage-rollup";
import { resolveDatabase } from "./database-url";
import { inWriteTransaction } from "./postgres-insert";
import { writeConnection } from "./sqlite-insert";
import { sqliteTimeMs } from "./trace-rows";

/** A trace the batch wrote to, and the batch's records in it. */
interface TouchedTrace {
  organizationId: string;
  traceId: string;
  records: LoggedRequest[];
}

/** What the (organizationId, traceId, source) index says of a stored trace, without reading its rows. */
interface StoredTrace {
  requests: number;
  spans: number;
}

/**
 * Marks the stored spans that a batch just written made usage roll-ups (lib/domain/usage-rollup.ts):
 * usageRollup true, cost 0 and known, tokens kept. Every reader then sums costs and tokens right
 * without knowing the rule. Called once the batch is committed, never inside its transaction: a
 * trace's spans come in any order, in several batches, perhaps from several writers at once, and
 * the last writer to commit a part of a trace then reads all of it. Marks are only ever added, so
 * writers racing each other can only add the same ones; a replayed batch marks nothing new.
 *
 * For each trace the batch may have changed (mayMakeRollups), the index first tells how many
 * requests and OTLP spans are stored. Without a span there is nothing to mark. When the batch holds
 * every stored request of the trace (an exporter that sends whole traces), the rule runs on the
 * batch's own records; otherwise the trace's requests are read, all of them, since the tree needs
 * them all. A recursive SQL walk from the calls up to their ancestors was measured first: without
 * an index on node ids it re-read the trace at every step (238 ms for a 2,000-span trace on
 * SQLite), and over a materialized copy of the trace it still took 45–275 µs for a 10-span trace,
 * against ≈ 15 µs for this read and the walk in JS.
 */
export async function markUsageRollups(batch: readonly LoggedRequest[]): Promise<void> {
  const traces = touchedTraces(batch);
  if (traces.length === 0) return;
  const database = resolveDatabase();
  if (database.kind === "sqlite") markOnSqlite(database.filePath, traces);
  else await markOnPostgres(database.url, traces);
}

function touchedTraces(batch: readonly LoggedRequest[]): TouchedTrace[] {
  const traces = new Map<string, TouchedTrace & { touched: boolean }>();
  for (const record of batch) {
    if (record.traceId === null) continue;
    const key = `${record.organizationId}\u0000${record.traceId}`;
    let trace = traces.get(key);
    if (!trace) traces.set(key, (trace = { organizationId: record.organizationId, traceId: record.traceId, records: [], touched: false }));
    trace.records.push(record);
    trace.touched ||= mayMakeRollups(record);
  }
  return [...traces.values()].filter((trace) => trace.touched);
}

/**
 * Whether the trace's stored requests must be read: it holds an OTLP span, and requests beyond
 * the batch's (a record stored twice is one row, so equal counts mean the very same rows).
 */
function mustRead(trace: TouchedTrace, stored: StoredTrace): boolean {
  return stored.spans > 0 && stored.requests !== trace.records.length;
}

/** The trace's requests as the rule reads them: those `read`, else the batch's own; null when no span is stored. */
function candidatesOf(trace: TouchedTrace, stored: StoredTrace, read: RollupCandidate[] | undefined): RollupCandidate[] | null {
  if (stored.spans === 0) return null;
  if (read) return read;
  const candidates: RollupCandidate[] = [];
  for (const r of trace.records) {
    if (r.nodeId === null) continue;
    // Field by field, as `candidate` builds them: a spread of the whole record cost ≈ 5 µs.
    candidates.push({
      id: r.id,
      source: r.source,
      nodeId: r.nodeId,
      parentNodeId: r.parentNodeId,
      status: r.status,
      startMs: r.startTime.getTime(),
      endMs: r.endTime.getTime(),
      promptTokens: r.promptTokens,
      completionTokens: r.completionTokens,
      totalTokens: r.totalTokens,
      costUsd: r.costUsd,
      costUnknown: r.costUnknown,
      usageRollup: false,
    });
  }
  return candidates;
}

/** The columns the rule reads, in the order of the row arrays; times by each database's expression. */
const COLUMNS = [
  "id", "source", "nodeId", "parentNodeId", "status", "startTime", "endTime",
  "promptTokens", "completionTokens", "totalTokens", "costUsd", "costUnknown", "usageRollup",
] as const;

function selectList(time: (column: string) => string): string {
  return COLUMNS.map((column) => (column === "startTime" || column === "endTime" ? time(`r."${column}"`) : `r."${column}"`)).join(", ");
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

// Both counts from the index alone (SQLite: USING COVERING INDEX).
const SQLITE_STORED = `SELECT COUNT(*), COUNT(CASE WHEN "source" = 'otel' THEN 1 END) FROM "Request"
  WHERE "organizationId" = @organizationId AND "traceId" = @traceId`;
const SQLITE_ROWS = `SELECT ${selectList((column) => column)} FROM "Request" r
  WHERE r."organizationId" = @organizationId AND r."traceId" = @traceId AND r."nodeId" IS NOT NULL`;
const SQLITE_MARK = `UPDATE "Request" SET "usageRollup" = 1, "costUsd" = 0, "costUnknown" = 0 WHERE "id" = ?`;

/** On the write thread's own connection, where the batch was just inserted. */
function markOnSqlite(filePath: string, traces: readonly TouchedTrace[]): void {
  const connection = writeConnection(filePath);
  const prepare = (sql: string) => {
    let statement = connection.statements.get(sql);
    if (!statement) connection.statements.set(sql, (statement = connection.db.prepare(sql)));
    return statement;
  };
  const storedOf = prepare(SQLITE_STORED).raw(true);
  const rowsOf = prepare(SQLITE_ROWS).raw(true);
  const ids: string[] = [];
  for (const trace of traces) {
    const key = { organizationId: trace.organizationId, traceId: trace.traceId };
    const [requests, spans] = storedOf.get(key) as [number, number];
    const stored = { requests, spans };
    const read = mustRead(trace, stored)
      ? (rowsOf.all(key) as unknown[][]).map((row) => candidate(row, sqliteTimeMs(row[5]), sqliteTimeMs(row[6]), row[11] === 1, row[12] === 1))
      : undefined;
    const candidates = candidatesOf(trace, stored, read);
    if (candidates) ids.push(...unmarkedUsageRollups(candidates));
  }
  if (ids.length === 0) return;
  const mark = prepare(SQLITE_MARK);
  connection.db.transaction(() => {
    for (const id of ids) mark.run(id);
  }).immediate();
}

// ---------------------------------------------------------------- PostgreSQL

const TRACES = `unnest($1::text[], $2::text[]) WITH ORDINALITY AS t("organizationId", "traceId", "index")`;
// Every trace in one statement, each query.
const POSTGRES_STORED = `SELECT t."index", s.requests, s.spans FROM ${TRACES}
  CROSS JOIN LATERAL (SELECT count(*)::int AS requests, (count(*) FILTER (WHERE o."source" = 'otel'))::int AS spans
    FROM "Request" o WHERE o."organizationId" = t."organizationId" AND o."traceId" = t."traceId") s`;
// Times as epoch ms computed by the server, as trace-rows.ts reads them (TIMESTAMP(3) holds UTC
// without a zone).
const POSTGRES_ROWS = `SELECT t."index", ${selectList((column) => `(extract(epoch from ${column}) * 1000)::float8`)} FROM ${TRACES}
  JOIN "Request" r ON r."organizationId" = t."organizationId" AND r."traceId" = t."traceId"
  WHERE r."nodeId" IS NOT NULL`;
// Ids in one order, so two writers marking the same rows lock them in the same order.
const POSTGRES_MARK = `UPDATE "Request" SET "usageRollup" = true, "costUsd" = 0, "costUnknown" = false WHERE "id" = ANY($1::text[])`;

async function markOnPostgres(url: string, traces: readonly TouchedTrace[]): Promise<void> {
  await inWriteTransaction(url, async (client) => {
    const query = async (name: string, text: string, subset: readonly TouchedTrace[]) =>
      (
        await client.query<unknown[]>({
          name,
          text,
          values: [subset.map((t) => t.organizationId), subset.map((t) => t.traceId)],
          rowMode: "array",
        })
      ).rows;
    const stored: StoredTrace[] = [];
    for (const [index, requests, spans] of await query("tracewell-rollup-stored", POSTGRES_STORED, traces)) {
      stored[Number(index) - 1] = { requests: requests as number, spans: spans as number };
    }
    const toRead = traces.filter((trace, i) => mustRead(trace, stored[i]!));
    const read = new Map(toRead.map((trace) => [trace, [] as RollupCandidate[]]));
    if (toRead.length > 0) {
      for (const row of await query("tracewell-rollup-rows", POSTGRES_ROWS, toRead)) {
        const fields = row.slice(1);
        read.get(toRead[Number(row[0]) - 1]!)!.push(candidate(fields, fields[5] as number, fields[6] as number, fields[11] as boolean, fields[12] as boolean));
      }
    }
    const ids: string[] = [];
    traces.forEach((trace, i) => {
      const candidates = candidatesOf(trace, stored[i]!, read.get(trace));
      if (candidates) ids.push(...unmarkedUsageRollups(candidates));
    });
    if (ids.length > 0) await client.query({ name: "tracewell-rollup-mark", text: POSTGRES_MARK, values: [ids.sort()] });
  });
}
