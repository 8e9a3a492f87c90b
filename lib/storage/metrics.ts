import type { Dimension } from "../domain/insights/dimensions";
import { aggregateFor, type GroupedAggregates } from "../domain/insights/grouped-aggregates";
import { dimensionValue } from "../domain/insights/dimensions";
import { addCounters, addRecord, emptyAggregate, mergeInto, type DistinctFigures, type MetricsAggregate, type MetricsRecord } from "../domain/insights/metrics-aggregate";
import { topKeysByCounters } from "../domain/insights/top-groups";
import type { MetricsOrder } from "../contracts/metrics";
import { Presence } from "../domain/insights/presence";
import { HOUR_MS, isIdFacet } from "../domain/insights/rollup-changes";
import type { BucketPlan } from "../domain/insights/time-buckets";
import { TimeseriesAccumulator } from "../domain/insights/timeseries";
import { resolveDatabase, type DatabaseKind } from "./database-url";
import {
  presenceAnswers,
  readPresence,
  rollupFacet,
  rollupGroups,
  rollupGroupsOfValues,
  rollupPieces,
  rollupsBuilt,
  rollupTopCounters,
  type FacetChoice,
  type RollupPiece,
} from "./metrics-rollup-reads";
import { closeReadPool, closeSqliteReaders, readPool, takeSqliteReader } from "./read-connections";
import { requestSliceWhere, SqlParameters, type RequestSliceFilter } from "./request-filter";
import { sqliteTimeMs } from "./trace-rows";
import { inPostgresTransaction } from "./postgres-transaction";

/**
 * The Insights metrics (GET /api/v1/metrics/*) over the stored requests: one statement per
 * answer, reading only the columns the answer needs of the requests in the slice (time range and
 * the Requests page's filters), folded row by row into the domain's aggregates (exact counters,
 * mergeable latency sketches) as the rows stream in, never holding them all.
 *
 * "Replaced" (wasted spend: an attempt a retry on the same trace node replaced) depends on the
 * node's other attempts, which may lie outside the slice: after `to`, or not matching a filter (a
 * retry on another model). So it is asked of all the organization's requests, by an EXISTS per
 * request; and only for requests where it changes an answer (priced, 2xx, not cancelled: a failed
 * or cancelled one is wasted anyway, one costing nothing wastes nothing), so the flag is exact
 * wherever it is read. Counters and sketches do not depend on it.
 *
 * Whole UTC hours of a slice the rollups can answer (metrics-rollup-reads.ts) are read from them,
 * a few rows an hour; the raw rows are read only for the range's ragged ends (less than an hour
 * each), or for the whole slice when the rollups cannot answer it (a user or session filter or
 * grouping, two properties) or are not built yet. The raw path's cost grows with the rows in the
 * slice (see the insights bench).
 */

/** The slice: time range [from, before) and the Requests page's filters. */
export type MetricsSlice = RequestSliceFilter & { from: Date; before: Date };

/** The range's totals, and the figures that need the slice's ids. */
export async function summarizeRequests(slice: MetricsSlice): Promise<{ aggregate: MetricsAggregate; distinct: DistinctFigures }> {
  const aggregate = emptyAggregate();
  const distinct = new Presence();
  const plan = presenceAnswers(slice) ? await rollupPlan(slice, null, true) : null;
  if (plan) {
    const [pieces] = await Promise.all([rollupGroups(slice, plan.choice, null, plan.pieces, true), readPresence(slice, plan.choice, plan.pieces, distinct)]);
    for (const { groups } of pieces) for (const group of groups.values()) mergeInto(aggregate, group);
  }
  await scanRawParts(slice, plan, { ids: true, dimension: null }, (record) => distinct.addRequest(record, addRecord(aggregate, record).costPicoUsd));
  return { aggregate, distinct: distinct.figures() };
}

/** The plan's buckets (the slice's range is the plan's), grouped by `groupBy` or not. */
export async function requestTimeseries(filter: RequestSliceFilter, buckets: BucketPlan, groupBy: Dimension | null): Promise<TimeseriesAccumulator> {
  const accumulator = new TimeseriesAccumulator(buckets, groupBy);
  const slice = { ...filter, from: new Date(buckets.fromMs), before: new Date(buckets.toMs) };
  // Minute buckets are finer than the rollups' hours; day rows fit day buckets only.
  const plan = buckets.intervalMs >= HOUR_MS ? await rollupPlan(slice, groupBy, buckets.interval === "day") : null;
  if (plan) {
    for (const { startHour, span, groups } of await rollupGroups(slice, plan.choice, groupBy, plan.pieces, false)) {
      for (const [key, aggregate] of groups) accumulator.addRollup(startHour * HOUR_MS, span * HOUR_MS, key, aggregate);
    }
  }
  await scanRawParts(slice, plan, { ids: false, dimension: groupBy }, (record) => accumulator.addRecord(record));
  return accumulator;
}

/** One aggregate per value of `dimension` (null: the requests without one). */
export async function aggregateRequestsBy(slice: MetricsSlice, dimension: Dimension): Promise<GroupedAggregates> {
  const groups: GroupedAggregates = new Map();
  const plan = await rollupPlan(slice, dimension, true);
  if (plan) {
    for (const piece of await rollupGroups(slice, plan.choice, dimension, plan.pieces, false)) {
      for (const [key, aggregate] of piece.groups) mergeInto(aggregateFor(groups, key), aggregate);
    }
  }
  await scanRawParts(slice, plan, { ids: false, dimension }, (record) => addRecord(aggregateFor(groups, dimensionValue(record, dimension)), record));
  return groups;
}

/**
 * What topRows needs to rank `dimension`'s values by `order` and keep `limit`: every group when
 * ranking by p95 latency or by model, provider or status (a few values); otherwise, by cost or
 * requests over a facet of thousands of values (users, sessions, a property), only the winners'
 * groups, chosen from counters the database sums, so that only their sketches are read.
 */
export async function aggregateTopCandidates(slice: MetricsSlice, dimension: Dimension, order: MetricsOrder, limit: number): Promise<GroupedAggregates> {
  const manyValued = dimension.kind === "userId" || dimension.kind === "sessionId" || dimension.kind === "property";
  if (!manyValued || order === "latencyP95") return aggregateRequestsBy(slice, dimension);
  const plan = await rollupPlan(slice, dimension, true);
  if (!plan || plan.choice.facetValue !== null) return aggregateRequestsBy(slice, dimension);
  const raw: GroupedAggregates = new Map();
  await scanRawParts(slice, plan, { ids: false, dimension }, (record) => addRecord(aggregateFor(raw, dimensionValue(record, dimension)), record));
  const extra = [...raw.keys()].filter((key): key is string => key !== null);
  const counters = await rollupTopCounters(slice, plan.choice, plan.pieces, { order, limit, extra });
  for (const [key, aggregate] of raw) {
    if (key === null) continue; // the top leaves out requests without a value
    const total = counters.get(key);
    if (total) addCounters(total, aggregate);
    else counters.set(key, { ...aggregate });
  }
  const winners = topKeysByCounters(counters, order, limit);
  const groups = await rollupGroupsOfValues(slice, plan.choice, plan.pieces, winners);
  for (const key of winners) {
    const fromRaw = raw.get(key);
    if (fromRaw) mergeInto(aggregateFor(groups, key), fromRaw);
  }
  return groups;
}

// ---------------------------------------------------------------- rollups and raw rows

/** The whole hours [from, to) the rollups answer, which of their rows, and in which pieces. */
interface RollupPlan {
  choice: FacetChoice;
  hours: { from: number; to: number };
  pieces: RollupPiece[];
}

/**
 * `days`: whether day rows may answer whole UTC days (not for hour buckets). A user or session
 * facet is kept for whole days only: the raw rows answer the rest of the range.
 */
async function rollupPlan(slice: MetricsSlice, dimension: Dimension | null, days: boolean): Promise<RollupPlan | null> {
  const choice = rollupFacet(slice, dimension);
  if (!choice) return null;
  let hours = { from: Math.ceil(slice.from.getTime() / HOUR_MS), to: Math.floor(slice.before.getTime() / HOUR_MS) };
  if (isIdFacet(choice.facet)) {
    if (!days) return null;
    hours = { from: Math.ceil(hours.from / 24) * 24, to: Math.floor(hours.to / 24) * 24 };
  }
  if (hours.from >= hours.to || !(await rollupsBuilt())) return null;
  return { choice, hours, pieces: rollupPieces(hours, days) };
}

/** The raw rows the plan leaves: the ragged ends around its whole hours, or the whole slice without one. */
async function scanRawParts(slice: MetricsSlice, plan: RollupPlan | null, shape: ScanShape, visit: (record: MetricsRecord) => void): Promise<void> {
  if (!plan) return scanRecords(slice, shape, visit);
  const first = new Date(plan.hours.from * HOUR_MS);
  const last = new Date(plan.hours.to * HOUR_MS);
  if (slice.from < first) await scanRecords({ ...slice, before: first }, shape, visit);
  if (last < slice.before) await scanRecords({ ...slice, from: last }, shape, visit);
}

// ---------------------------------------------------------------- the statement

/** What a scan reads beside the columns every answer needs. */
interface ScanShape {
  /** traceId, userId, sessionId: for distinct counts */
  ids: boolean;
  dimension: Dimension | null;
  /** every field the rollups keep (model, provider, all properties), oldest first (rebuilding them) */
  whole?: boolean;
}

/** Columns every answer reads, in the row arrays' order (startTime and replaced are expressions). */
const BASE_COLUMNS = ["startTime", "status", "cancelled", "latencyMs", "timeToFirstTokenMs", "promptTokens", "completionTokens", "costUsd", "costUnknown", "usageRollup", "replaced"] as const;
const ID_COLUMNS = ["traceId", "userId", "sessionId"] as const;
const WHOLE_COLUMNS = ["model", "provider", "properties"] as const;

function selectStatement(kind: DatabaseKind, slice: MetricsSlice, shape: ScanShape): { text: string; values: unknown[] } {
  const params = new SqlParameters(kind);
  const columns: string[] = BASE_COLUMNS.map((column) => {
    if (column === "startTime") return kind === "sqlite" ? `r."startTime"` : `(extract(epoch from r."startTime") * 1000)::float8`;
    if (column === "replaced") return replacedExpression(params);
    return `r."${column}"`;
  });
  if (shape.ids) columns.push(...ID_COLUMNS.map((column) => `r."${column}"`));
  let join = "";
  const dimension = shape.dimension;
  if (dimension?.kind === "property") {
    columns.push(`g."value"`);
    // At most one row: (requestId, key) is the property table's key. The row repeats its
    // request's start time, which takes PostgreSQL to the one partition that can hold it.
    join = `LEFT JOIN "RequestProperty" g ON g."requestId" = r."id" AND g."startTime" = r."startTime" AND g."key" = ${params.add(dimension.key)}`;
  } else if (dimension && dimension.kind !== "status") {
    columns.push(`r."${dimension.kind}"`);
  }
  if (shape.whole) columns.push(...WHOLE_COLUMNS.map((column) => `r."${column}"`));
  const where = requestSliceWhere(slice, params, "from-index");
  const order = shape.whole ? ` ORDER BY r."startTime"` : "";
  return { text: `SELECT ${columns.join(", ")} FROM "Request" r ${join} WHERE ${where}${order}`, values: params.values };
}

/**
 * Whether a later attempt on the same trace node exists among all the organization's requests
 * (the trace tree's order: start time, then id in code-unit order), asked only where it can
 * change the wasted cost; 0/false elsewhere. One probe of the (organizationId, traceId, nodeId,
 * startTime, id) index: without it, each probe read every request of the trace from the table
 * (≈ 6 s more for a month of a million requests on SQLite).
 */
function replacedExpression(params: SqlParameters): string {
  const no = params.boolean(false);
  // PostgreSQL compares text by the database's collation; the tree orders ids by code unit.
  const byCodeUnit = params.kind === "postgres" ? ` COLLATE "C"` : "";
  return `CASE WHEN r."traceId" IS NOT NULL AND r."nodeId" IS NOT NULL AND r."costUsd" > 0 AND r."usageRollup" = ${no}
      AND r."cancelled" = ${no} AND r."status" BETWEEN 200 AND 299
    THEN EXISTS (SELECT 1 FROM "Request" o WHERE o."organizationId" = r."organizationId" AND o."traceId" = r."traceId"
      AND o."nodeId" = r."nodeId"
      AND (o."startTime" > r."startTime" OR (o."startTime" = r."startTime" AND o."id"${byCodeUnit} > r."id"${byCodeUnit})))
    ELSE ${no} END`;
}

/** A row array as the domain reads it; `time` and `flag` decode the database's own forms. */
function recordDecoder(shape: ScanShape, time: (value: unknown) => number, flag: (value: unknown) => boolean): (row: unknown[]) => MetricsRecord {
  const idsAt = BASE_COLUMNS.length;
  const dimensionAt = idsAt + (shape.ids ? ID_COLUMNS.length : 0);
  const dimension = shape.dimension;
  return (row) => {
    const record: MetricsRecord = {
      startMs: time(row[0]),
      status: row[1] as number,
      cancelled: flag(row[2]),
      latencyMs: row[3] as number,
      timeToFirstTokenMs: row[4] as number | null,
      promptTokens: row[5] as number | null,
      completionTokens: row[6] as number | null,
      costUsd: row[7] as number | null,
      costUnknown: flag(row[8]),
      usageRollup: flag(row[9]),
      replaced: flag(row[10]),
      traceId: shape.ids ? (row[idsAt] as string | null) : null,
      userId: shape.ids ? (row[idsAt + 1] as string | null) : null,
      sessionId: shape.ids ? (row[idsAt + 2] as string | null) : null,
      model: null,
      provider: "",
      properties: NO_PROPERTIES,
    };
    if (shape.whole) {
      const at = dimensionAt + (dimension ? 1 : 0);
      record.model = row[at] as string | null;
      record.provider = row[at + 1] as string;
      record.properties = JSON.parse(row[at + 2] as string) as Record<string, string>;
    }
    const value = row[dimensionAt] as string | null;
    switch (dimension?.kind) {
      case "model":
        record.model = value;
        break;
      case "provider":
        record.provider = value!;
        break;
      case "userId":
        record.userId = value;
        break;
      case "sessionId":
        record.sessionId = value;
        break;
      case "property":
        if (value !== null) record.properties = { [dimension.key]: value };
        break;
    }
    return record;
  };
}

const NO_PROPERTIES: Record<string, string> = Object.freeze({}) as Record<string, string>;

// ---------------------------------------------------------------- reading

/** SQLite: rows read between two turns of the event loop (≈ 50 ms of work). */
const SQLITE_ROWS_PER_TURN = 10_000;
/** PostgreSQL: rows a FETCH brings (fewer round trips; a few MB at most). */
const POSTGRES_ROWS_PER_FETCH = 20_000;

/** Every request of the organization with every field the rollups keep, oldest first. */
export async function scanWholeRecords(organizationId: string, visit: (record: MetricsRecord) => void): Promise<void> {
  // (the last time with a four-digit year: SQLite compares times as text)
  await scanRecords({ organizationId, from: new Date(0), before: new Date("9999-12-31T23:59:59.999Z") }, { ids: true, dimension: null, whole: true }, visit);
}

async function scanRecords(slice: MetricsSlice, shape: ScanShape, visit: (record: MetricsRecord) => void): Promise<void> {
  const database = resolveDatabase();
  const statement = selectStatement(database.kind, slice, shape);
  if (database.kind === "sqlite") {
    const decode = recordDecoder(shape, sqliteTimeMs, (value) => value === 1);
    await scanSqlite(database.filePath, statement, (row) => visit(decode(row)));
  } else {
    const decode = recordDecoder(shape, (value) => value as number, (value) => value === true);
    await scanPostgres(database.url, statement, (row) => visit(decode(row)));
  }
}

/**
 * Steps through the rows on a reading connection of its own, yielding to the event loop every
 * SQLITE_ROWS_PER_TURN rows: a month of requests takes a while to read, and the proxy answering beside it
 * must not wait. The statement stays open across the yields (one consistent snapshot under WAL),
 * so the connection is taken from the idle list for the scan and given back after.
 */
async function scanSqlite(filePath: string, statement: { text: string; values: unknown[] }, visit: (row: unknown[]) => void): Promise<void> {
  const reader = takeSqliteReader(filePath);
  let healthy = false;
  try {
    let count = 0;
    for (const row of reader.db.prepare(statement.text).raw(true).iterate(...statement.values) as IterableIterator<unknown[]>) {
      visit(row);
      if (++count % SQLITE_ROWS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    healthy = true;
  } finally {
    reader.release(healthy);
  }
}

/**
 * Fetches the rows POSTGRES_ROWS_PER_FETCH at a time through a cursor in a read-only transaction (one
 * snapshot), so a month of requests never sits in memory at once.
 */
async function scanPostgres(url: string, statement: { text: string; values: unknown[] }, visit: (row: unknown[]) => void): Promise<void> {
  // JIT compiling the scan costs ≈ 0.6 s up front, more than it saves on a month of rows.
  await inPostgresTransaction(readPool(url), "BEGIN READ ONLY; SET LOCAL jit = off", async (client) => {
    await client.query({ text: `DECLARE metrics_rows NO SCROLL CURSOR FOR ${statement.text}`, values: statement.values });
    for (;;) {
      const { rows } = await client.query<unknown[]>({ text: `FETCH ${POSTGRES_ROWS_PER_FETCH} FROM metrics_rows`, rowMode: "array" });
      for (const row of rows) visit(row);
      if (rows.length < POSTGRES_ROWS_PER_FETCH) break;
    }
  });
}

/** Closes the idle SQLite readers and the PostgreSQL read pool (tests, benches, shutdown). */
export async function closeMetricsReaders(): Promise<void> {
  closeSqliteReaders();
  await closeReadPool();
}
