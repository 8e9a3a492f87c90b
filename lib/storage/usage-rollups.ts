import type { LoggedRequest } from "../domain/logged-request";
import { mayMakeRollups, unmarkedUsageRollups, type RollupCandidate } from "../domain/usage-rollup";
import { resolveDatabase } from "./database-url";
import { markUsageRollupsOnPostgres, markUsageRollupsOnSqlite } from "./metrics-rollups";
import { writePool } from "./postgres-insert";
import { inPostgresTransaction } from "./postgres-transaction";
import { writeConnection } from "./sqlite-insert";
import { sqliteTimeMs } from "./trace-rows";

/** A trace the batch writes to that it may give roll-ups, and the batch's records in it. */
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

/** The batch's roll-ups as far as the batch alone shows them, and the traces to complete after the commit. */
export interface BatchRollups {
  ids: ReadonlySet<string>;
  traces: readonly TouchedTrace[];
}

/**
 * Usage roll-ups (lib/domain/usage-rollup.ts) are stored as such, usageRollup true, cost 0 and
 * known, tokens kept, so that every reader sums costs and tokens right without knowing the rule.
 * In two steps, which give the same marks whatever the order and batches spans come in, even
 * from several writers at once (marks are only ever added, so racing writers add the same ones):
 *
 * 1. Before the insert (usageRollupsWithin): the rule on each touched trace's records in the
 *    batch. A roll-up there is one whatever else the trace holds, so it is inserted marked. An
 *    exporter that sends whole traces is done here.
 * 2. Once the batch is committed, never inside its transaction (completeUsageRollups): the last
 *    writer to commit a part of a trace then sees all of it. The index first tells how many
 *    requests and OTLP spans the trace holds: without a span there is nothing to mark, and when
 *    they are the batch's own (a record stored twice is one row, so equal counts mean the same
 *    rows), step 1 saw them all. Otherwise the trace's requests are read, all of them since the
 *    tree needs them all, and the roll-ups not yet marked are updated.
 *
 * A recursive SQL walk from the calls up to their ancestors was measured first: without an index
 * on node ids it re-read the trace at every step (238 ms for a 2,000-span trace on SQLite), and
 * over a materialized copy of the trace it still took 45–275 µs for a 10-span trace, against
 * ≈ 15 µs for this read and the walk in JS.
 */
export function usageRollupsWithin(batch: readonly LoggedRequest[]): BatchRollups {
  const traces = touchedTraces(batch);
  const ids = new Set<string>();
  for (const trace of traces) {
    // one request is nobody's descendant (an exporter sending span by span)
    if (trace.records.length > 1) for (const id of unmarkedUsageRollups(batchCandidates(trace))) ids.add(id);
  }
  return { ids, traces };
}

/** Step 2 of usageRollupsWithin: after the batch's commit. */
export async function completeUsageRollups({ traces }: BatchRollups): Promise<void> {
  if (traces.length === 0) return;
  const database = resolveDatabase();
  if (database.kind === "sqlite") completeOnSqlite(database.filePath, traces);
  else await completeOnPostgres(database.url, traces);
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

/** Whether the trace holds requests the batch did not bring, and a span among them or it: then it is read. */
function mustRead(trace: TouchedTrace, stored: StoredTrace): boolean {
  return stored.spans > 0 && stored.requests !== trace.records.length;
}

/** The batch's records of a trace as the rule reads them. */
function batchCandidates(trace: TouchedTrace): RollupCandidate[] {
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
      cancelled: r.cancelled,
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
  "promptTokens", "completionTokens", "totalTokens", "costUsd", "costUnknown", "usageRollup", "cancelled",
] as const;

function selectList(time: (column: string) => string): string {
  return COLUMNS.map((column) => (column === "startTime" || column === "endTime" ? time(`r."${column}"`) : `r."${column}"`)).join(", ");
}

/** A row array (COLUMNS order) as the rule reads it; booleans and times already decoded. */
function candidate(row: unknown[], startMs: number, endMs: number, costUnknown: boolean, usageRollup: boolean, cancelled: boolean): RollupCandidate {
  return {
    id: row[0] as string,
    source: row[1] as string,
    nodeId: row[2] as string,
    parentNodeId: row[3] as string | null,
    status: row[4] as number,
    cancelled,
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

/** On the write thread's own connection, where the batch was just inserted. */
function completeOnSqlite(filePath: string, traces: readonly TouchedTrace[]): void {
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
    if (!mustRead(trace, { requests, spans })) continue;
    const rows = rowsOf.all(key) as unknown[][];
    ids.push(...unmarkedUsageRollups(rows.map((row) => candidate(row, sqliteTimeMs(row[5]), sqliteTimeMs(row[6]), row[11] === 1, row[12] === 1, row[13] === 1))));
  }
  // with the Insights rollups' corrections, in one transaction
  if (ids.length > 0) markUsageRollupsOnSqlite(connection.db, ids);
}

// ---------------------------------------------------------------- PostgreSQL

// Every trace of the batch in one statement: per trace, the counts from the index, then its
// requests only where they must be read (the condition is on the outer row alone, so PostgreSQL
// skips the lateral read where it fails); a trace with nothing to read comes back as one row of
// counts and nulls. Times as epoch ms computed by the server, as trace-rows.ts reads them
// (TIMESTAMP(3) holds UTC without a zone).
const POSTGRES_SELECT = `SELECT t."index", s.requests, s.spans, ${selectList((column) => `(extract(epoch from ${column}) * 1000)::float8`)}
  FROM unnest($1::text[], $2::text[], $3::int[]) WITH ORDINALITY AS t("organizationId", "traceId", "inBatch", "index")
  CROSS JOIN LATERAL (SELECT count(*)::int AS requests, (count(*) FILTER (WHERE o."source" = 'otel'))::int AS spans
    FROM "Request" o WHERE o."organizationId" = t."organizationId" AND o."traceId" = t."traceId") s
  LEFT JOIN LATERAL (SELECT * FROM "Request" q
    WHERE s.spans > 0 AND s.requests <> t."inBatch"
      AND q."organizationId" = t."organizationId" AND q."traceId" = t."traceId" AND q."nodeId" IS NOT NULL) r ON true`;

/**
 * One round trip to read, and a transaction only when there is something to mark (with the
 * Insights rollups' corrections). The write pool bounds every statement (lock and statement timeouts).
 */
async function completeOnPostgres(url: string, traces: readonly TouchedTrace[]): Promise<void> {
  const pool = writePool(url);
  // Both statements unnamed, so planned for their values each time (≈ 0.2 ms). Prepared once, the
  // read was planned for the near-empty table of a fresh database: a sequential scan of the whole
  // table for every batch once it had grown, which cut the OTLP bench's throughput in half.
  const { rows } = await pool.query<unknown[]>({
    text: POSTGRES_SELECT,
    values: [traces.map((t) => t.organizationId), traces.map((t) => t.traceId), traces.map((t) => t.records.length)],
    rowMode: "array",
  });
  const read = new Map<number, RollupCandidate[]>();
  for (const row of rows) {
    const i = Number(row[0]) - 1;
    if (!mustRead(traces[i]!, { requests: row[1] as number, spans: row[2] as number })) continue;
    const fields = row.slice(3);
    let requests = read.get(i);
    if (!requests) read.set(i, (requests = []));
    if (fields[0] !== null) requests.push(candidate(fields, fields[5] as number, fields[6] as number, fields[11] as boolean, fields[12] as boolean, fields[13] as boolean));
  }
  const ids: string[] = [];
  for (const requests of read.values()) ids.push(...unmarkedUsageRollups(requests));
  if (ids.length > 0) await inPostgresTransaction(pool, "BEGIN", (client) => markUsageRollupsOnPostgres(client, ids));
}
