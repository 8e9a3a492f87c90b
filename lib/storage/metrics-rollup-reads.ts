import type { Dimension, GroupKey } from "../domain/insights/dimensions";
import { aggregateFor, mergeGroups, type GroupedAggregates } from "../domain/insights/grouped-aggregates";
import { LatencySketch } from "../domain/insights/latency-sketch";
import { aggregateMinus, emptyAggregate, mergeInto, type MetricsAggregate, type MetricsCounters } from "../domain/insights/metrics-aggregate";
import { Presence } from "../domain/insights/presence";
import { ALL_REQUESTS_FACET, isIdFacet, propertyFacet, SESSION_FACET, USER_FACET, type Span } from "../domain/insights/rollup-changes";
import { processSlot } from "../shared/process-slot";
import { resolveDatabase } from "./database-url";
import { readPool, withSqliteReader } from "./read-connections";
import { SqlParameters, type RequestSliceFilter } from "./request-filter";

/**
 * Reads the Insights rollups (metrics-rollups.ts) for whole UTC hours or days of a slice. Which
 * slices they can answer (rollupFacet): any filter on model, provider and status, with at most
 * one of a property, a user or a session (as a filter or a grouping); users and sessions from
 * whole days only.
 */

/** The facet rows that answer a slice grouped by `dimension` (null: not grouped), or null when none can. */
export interface FacetChoice {
  facet: string;
  /** null: every value of the facet (grouped by it, its requests without one computed) */
  facetValue: string | null;
}

export function rollupFacet(slice: RequestSliceFilter, dimension: Dimension | null): FacetChoice | null {
  if (slice.traceId !== undefined) return null;
  const filters: FacetChoice[] = Object.entries(slice.properties ?? {}).map(([key, value]) => ({ facet: propertyFacet(key.toLowerCase()), facetValue: value }));
  if (slice.userId !== undefined) filters.push({ facet: USER_FACET, facetValue: slice.userId });
  if (slice.sessionId !== undefined) filters.push({ facet: SESSION_FACET, facetValue: slice.sessionId });
  if (filters.length > 1) return null;
  const [filter] = filters;
  const grouped = dimension ? facetOf(dimension) : null;
  let choice: FacetChoice | null;
  if (grouped === null) choice = filter ?? { facet: ALL_REQUESTS_FACET, facetValue: "" };
  else if (!filter) choice = { facet: grouped, facetValue: null };
  else choice = filter.facet === grouped ? filter : null;
  // Users' and sessions' rows are not split by model, provider or status (USER_FACET).
  const split = slice.model !== undefined || slice.provider !== undefined || slice.status !== undefined || (dimension !== null && grouped === null);
  return choice && isIdFacet(choice.facet) && split ? null : choice;
}

/** The facet whose values a dimension groups by; null for model, provider and status (every row has them). */
function facetOf(dimension: Dimension): string | null {
  switch (dimension.kind) {
    case "property":
      return propertyFacet(dimension.key);
    case "userId":
      return USER_FACET;
    case "sessionId":
      return SESSION_FACET;
    default:
      return null;
  }
}

/** Whether the presence rows (kept per facet value, not per model, provider or status) answer the slice. */
export function presenceAnswers(slice: RequestSliceFilter): boolean {
  return slice.model === undefined && slice.provider === undefined && slice.status === undefined && slice.userId === undefined && slice.sessionId === undefined;
}

/** Hours [from, to) read from the kept rows of one span (hours since the epoch, multiples of the span). */
export interface RollupPiece {
  span: Span;
  from: number;
  to: number;
}

/**
 * Whole hours [from, to) as the fewest kept rows cover them: the whole UTC days among them from
 * day rows (when `days`: a timeseries in hour buckets cannot use them), the hours around from
 * hour rows.
 */
export function rollupPieces(hours: { from: number; to: number }, days: boolean): RollupPiece[] {
  const dayFrom = Math.ceil(hours.from / 24) * 24;
  const dayTo = Math.floor(hours.to / 24) * 24;
  if (!days || dayFrom >= dayTo) return [{ span: 1, ...hours }];
  const pieces: RollupPiece[] = [];
  if (hours.from < dayFrom) pieces.push({ span: 1, from: hours.from, to: dayFrom });
  pieces.push({ span: 24, from: dayFrom, to: dayTo });
  if (dayTo < hours.to) pieces.push({ span: 1, from: dayTo, to: hours.to });
  return pieces;
}

/** The kept totals of one span-long piece of time, per value of the dimension (key null when not grouped). */
export interface KeptPiece {
  startHour: number;
  span: Span;
  groups: GroupedAggregates;
}

/**
 * The kept totals of the pieces, per row's piece of time and per value of `dimension` (one group,
 * key null, when null). `firstToken`: whether time-to-first-token sketches are needed.
 */
export async function rollupGroups(
  slice: RequestSliceFilter,
  choice: FacetChoice,
  dimension: Dimension | null,
  pieces: readonly RollupPiece[],
  firstToken: boolean,
): Promise<KeptPiece[]> {
  const byStart = new Map<string, KeptPiece>();
  const pieceOf = (span: Span, startHour: number) => {
    const key = `${span}:${startHour}`;
    let piece = byStart.get(key);
    if (!piece) byStart.set(key, (piece = { startHour, span, groups: new Map() }));
    return piece;
  };
  for (const piece of pieces) {
    await readRows(slice, choice.facet, choice.facetValue, piece, firstToken, (row) => {
      mergeInto(aggregateFor(pieceOf(piece.span, row.hour).groups, groupKey(row, dimension)), row.aggregate);
    });
    if (choice.facetValue !== null) continue;
    // The requests without the property: each piece's total less its values' totals.
    const totals = new Map<number, MetricsAggregate>();
    await readRows(slice, ALL_REQUESTS_FACET, "", piece, firstToken, (row) => {
      let total = totals.get(row.hour);
      if (!total) totals.set(row.hour, (total = emptyAggregate()));
      mergeInto(total, row.aggregate);
    });
    for (const [hour, total] of totals) {
      const { groups } = pieceOf(piece.span, hour);
      const without = aggregateMinus(total, mergeGroups(groups));
      if (without.requests > 0) groups.set(null, without);
    }
  }
  return [...byStart.values()];
}

/** The traces (with their cost), users and sessions of the pieces, added to `into`. */
export async function readPresence(slice: RequestSliceFilter, choice: FacetChoice, pieces: readonly RollupPiece[], into: Presence): Promise<void> {
  const database = resolveDatabase();
  for (const piece of pieces) {
    const params = new SqlParameters(database.kind);
    const text = `SELECT "presence" FROM "MetricsPresence" WHERE "organizationId" = ${params.add(slice.organizationId)}
      AND "facet" = ${params.add(choice.facet)} AND "facetValue" = ${params.add(choice.facetValue)}
      AND "span" = ${params.add(piece.span)} AND "hour" >= ${params.add(piece.from)} AND "hour" < ${params.add(piece.to)}`;
    await eachRow(text, params.values, (row) => into.mergeEncoded(row[0] as Uint8Array));
  }
}

const builtSlot = processSlot<boolean>("metrics-rollups:built");

/** Whether the rollups hold every stored request (MetricsRollupState); once true, true for good. */
export async function rollupsBuilt(): Promise<boolean> {
  if (builtSlot.value) return true;
  let built = false;
  await eachRow(`SELECT 1 FROM "MetricsRollupState" WHERE "id" = 1`, [], () => (built = true));
  if (built) builtSlot.value = true;
  return built;
}

/** Forgets what rollupsBuilt learnt (tests and benches that swap databases). */
export function forgetRollupsBuilt(): void {
  builtSlot.value = undefined;
}

// ---------------------------------------------------------------- rows

interface KeptRow {
  hour: number;
  facetValue: string;
  model: string | null;
  provider: string;
  status: number;
  aggregate: MetricsAggregate;
}

const COLUMNS = `"hour", "facetValue", "model", "provider", "status", "requests", "errors", "costPicoUsd", "costUnknownRequests",
  "promptTokens", "completionTokens", "wastedCostPicoUsd", "latencySketch"`;

async function readRows(
  slice: RequestSliceFilter,
  facet: string,
  facetValue: string | null,
  piece: RollupPiece,
  firstToken: boolean,
  visit: (row: KeptRow) => void,
  values?: readonly string[],
): Promise<void> {
  const database = resolveDatabase();
  const params = new SqlParameters(database.kind);
  const conditions = rowConditions(slice, facet, facetValue, piece, params);
  if (values) conditions.push(`"facetValue" IN (${values.map((value) => params.add(value)).join(", ")})`);
  const text = `SELECT ${COLUMNS}${firstToken ? `, "firstTokenSketch"` : ""} FROM "MetricsRollup" WHERE ${conditions.join(" AND ")}`;
  await eachRow(text, params.values, (row) => visit(keptRow(row, firstToken)));
}

/** The kept rows of a facet (one value, or all), a piece of time and the slice's model, provider and status. */
function rowConditions(slice: RequestSliceFilter, facet: string, facetValue: string | null, piece: RollupPiece, params: SqlParameters): string[] {
  const conditions = [`"organizationId" = ${params.add(slice.organizationId)}`, `"facet" = ${params.add(facet)}`];
  if (facetValue !== null) conditions.push(`"facetValue" = ${params.add(facetValue)}`);
  conditions.push(`"span" = ${params.add(piece.span)}`, `"hour" >= ${params.add(piece.from)}`, `"hour" < ${params.add(piece.to)}`);
  if (slice.model !== undefined) conditions.push(`"model" = ${params.add(slice.model)}`);
  if (slice.provider !== undefined) conditions.push(`"provider" = ${params.add(slice.provider)}`);
  if (typeof slice.status === "number") conditions.push(`"status" = ${params.add(slice.status)}`);
  else if (slice.status === "ok") conditions.push(`"status" BETWEEN 200 AND 299`);
  else if (slice.status === "error") conditions.push(`NOT ("status" BETWEEN 200 AND 299)`);
  return conditions;
}

/**
 * The counters of a facet's values over the pieces (summed by the database, no sketches) that can
 * make its top `limit` by `order` once `extra` (the values the raw rows add to) are added: the
 * values the kept rows alone rank in the top `limit` (ties broken by value in code point order, as
 * compareGroupKeys does), and those of `extra`. Any other value has `limit` values above it
 * whatever the raw rows add, since they only add. Ranks thousands of users or sessions by reading
 * a few counters.
 */
export async function rollupTopCounters(
  slice: RequestSliceFilter,
  choice: FacetChoice,
  pieces: readonly RollupPiece[],
  ranking: { order: "cost" | "requests"; limit: number; extra: readonly string[] },
): Promise<Map<string, MetricsCounters>> {
  const database = resolveDatabase();
  const byValue = new Map<string, MetricsCounters>();
  const measure = ranking.order === "cost" ? `SUM("costPicoUsd")` : `SUM("requests")`;
  const binary = database.kind === "postgres" ? ` COLLATE "C"` : "";
  const sums = `"facetValue", SUM("requests"), SUM("errors"), SUM("costPicoUsd"), SUM("costUnknownRequests"), SUM("promptTokens"),
    SUM("completionTokens"), SUM("wastedCostPicoUsd")`;
  // Over every piece at once: a value's rank is by its total, not by one piece's.
  const statement = (values: readonly string[] | null) => {
    const params = new SqlParameters(database.kind);
    const parts = pieces.map((piece) => `(${rowConditions(slice, choice.facet, choice.facetValue, piece, params).join(" AND ")})`);
    let where = `(${parts.join(" OR ")})`;
    if (values) where += ` AND "facetValue" IN (${values.map((value) => params.add(value)).join(", ")})`;
    const order = values ? "" : ` ORDER BY ${measure} DESC, "facetValue"${binary} LIMIT ${Math.trunc(ranking.limit)}`;
    return { text: `SELECT ${sums} FROM "MetricsRollup" WHERE ${where} GROUP BY "facetValue"${order}`, values: params.values };
  };
  const visit = (row: unknown[]) => {
    byValue.set(row[0] as string, {
      requests: Number(row[1]),
      errors: Number(row[2]),
      costPicoUsd: BigInt(row[3] as bigint | string),
      costUnknownRequests: Number(row[4]),
      promptTokens: Number(row[5]),
      completionTokens: Number(row[6]),
      wastedCostPicoUsd: BigInt(row[7] as bigint | string),
    });
  };
  const statements = [statement(null)];
  for (let i = 0; i < ranking.extra.length; i += 500) statements.push(statement(ranking.extra.slice(i, i + 500)));
  for (const { text, values } of statements) await eachRow(text, values, visit);
  return byValue;
}

/** The kept totals of the pieces for some values of the facet only (each value one group). */
export async function rollupGroupsOfValues(slice: RequestSliceFilter, choice: FacetChoice, pieces: readonly RollupPiece[], values: readonly string[]): Promise<GroupedAggregates> {
  const groups: GroupedAggregates = new Map();
  if (values.length === 0) return groups;
  for (const piece of pieces) {
    await readRows(slice, choice.facet, choice.facetValue, piece, false, (row) => mergeInto(aggregateFor(groups, row.facetValue), row.aggregate), values);
  }
  return groups;
}

/**
 * Each row of a statement as an array, on the configured database, on the bulk readers
 * (read-connections.ts). SQLite gives its integers as bigint (safeIntegers: pico-dollar sums pass
 * 2⁵³), PostgreSQL its BIGINTs as text; readers convert.
 */
async function eachRow(text: string, values: readonly unknown[], visit: (row: unknown[]) => void): Promise<void> {
  const database = resolveDatabase();
  if (database.kind === "sqlite") {
    withSqliteReader(database.filePath, (db) => {
      for (const row of db.prepare(text).raw(true).safeIntegers(true).iterate(...values) as IterableIterator<unknown[]>) visit(row);
    });
  } else {
    const { rows } = await readPool(database.url).query<unknown[]>({ text, values: [...values], rowMode: "array" });
    for (const row of rows) visit(row);
  }
}

/** A row as read: SQLite gives its integers as bigint (safeIntegers), PostgreSQL its BIGINTs as text. */
function keptRow(row: unknown[], firstToken: boolean): KeptRow {
  const int = (value: unknown) => Number(value);
  const big = (value: unknown) => BigInt(value as bigint | string);
  return {
    hour: int(row[0]),
    facetValue: row[1] as string,
    model: row[2] as string | null,
    provider: row[3] as string,
    status: int(row[4]),
    aggregate: {
      requests: int(row[5]),
      errors: int(row[6]),
      costPicoUsd: big(row[7]),
      costUnknownRequests: int(row[8]),
      promptTokens: int(row[9]),
      completionTokens: int(row[10]),
      wastedCostPicoUsd: big(row[11]),
      latencyMs: LatencySketch.decode(row[12] as Uint8Array),
      timeToFirstTokenMs: firstToken ? LatencySketch.decode(row[13] as Uint8Array) : LatencySketch.empty(),
    },
  };
}

function groupKey(row: KeptRow, dimension: Dimension | null): GroupKey {
  if (dimension === null) return null;
  switch (dimension.kind) {
    case "model":
      return row.model;
    case "provider":
      return row.provider;
    case "status":
      return String(row.status);
    case "property":
    case "userId":
    case "sessionId":
      return row.facetValue;
  }
}
