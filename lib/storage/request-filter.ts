import type { DatabaseKind } from "./database-url";

/**
 * The Requests page's filters as SQL, for either database: what a slice of the Request table
 * (alias `r`) must satisfy. The one translation of the filters: the Requests list and the metrics
 * both build their WHERE here, so a number on the dashboard and the list it links to agree. Property keys match case-insensitively (stored lower-cased), values
 * exactly; a status is a code or a class ("ok" = 2xx, "error" = anything else).
 */
export interface RequestSliceFilter {
  organizationId: string;
  model?: string;
  provider?: string;
  /** exact status, or a class: "ok" (2xx) / "error" (anything else) */
  status?: number | "ok" | "error";
  /** key (matched case-insensitively) → exact value */
  properties?: Record<string, string>;
  sessionId?: string;
  userId?: string;
  traceId?: string;
  /** startTime ≥ from */
  from?: Date;
  /** startTime ≤ to (the Requests page's range ends where it says) */
  to?: Date;
  /** startTime < before (the metrics' ranges are half-open) */
  before?: Date;
}

/**
 * Collects a statement's parameters and writes each one's placeholder in the database's syntax.
 * SQLite's placeholders are positional: add parameters in the order the text shows them.
 */
export class SqlParameters {
  readonly values: unknown[] = [];

  constructor(readonly kind: DatabaseKind) {}

  add(value: unknown): string {
    this.values.push(value);
    return this.kind === "sqlite" ? "?" : `$${this.values.length}`;
  }

  /**
   * A time to compare with a timestamp column. SQLite holds ISO 8601 text in one fixed form (as
   * Prisma's adapter and the insert worker write it), which sorts as the times do; PostgreSQL's
   * TIMESTAMP(3) holds UTC without a zone, so the ISO text with its Z is turned into that.
   */
  time(date: Date): string {
    if (this.kind === "sqlite") return this.add(date.toISOString().replace("Z", "+00:00"));
    return `(${this.add(date.toISOString())}::timestamptz AT TIME ZONE 'UTC')`;
  }

  /** A boolean literal as the database stores it. */
  boolean(value: boolean): string {
    if (this.kind === "sqlite") return value ? "1" : "0";
    return value ? "true" : "false";
  }
}

/**
 * How a property filter is checked, which decides SQLite's plan (PostgreSQL plans both alike):
 * - "per-row": each request's property row is probed by its key, (requestId, key); for a page of
 *   the newest requests, which walks the time index and stops after a page (≈ 5 ms at a million
 *   rows, where "from-index" read all 20,000 matches and sorted them: ≈ 250 ms);
 * - "from-index": the matching requests are found in the property index (organizationId, key,
 *   value, startTime) within the range; for aggregates over every match.
 */
export type PropertyMatch = "per-row" | "from-index";

/** The filter's conditions on `r`, joined with AND (always at least the organization). */
export function requestSliceWhere(filter: RequestSliceFilter, params: SqlParameters, propertyMatch: PropertyMatch): string {
  const conditions = [`r."organizationId" = ${params.add(filter.organizationId)}`];
  if (filter.from) conditions.push(`r."startTime" >= ${params.time(filter.from)}`);
  if (filter.to) conditions.push(`r."startTime" <= ${params.time(filter.to)}`);
  if (filter.before) conditions.push(`r."startTime" < ${params.time(filter.before)}`);
  const equal = (column: string, value: string | undefined) => {
    if (value !== undefined) conditions.push(`r."${column}" = ${params.add(value)}`);
  };
  equal("model", filter.model);
  equal("provider", filter.provider);
  equal("sessionId", filter.sessionId);
  equal("userId", filter.userId);
  equal("traceId", filter.traceId);
  if (typeof filter.status === "number") conditions.push(`r."status" = ${params.add(filter.status)}`);
  else if (filter.status === "ok") conditions.push(`r."status" BETWEEN 200 AND 299`);
  // NOT(2xx) rather than "< 200 OR ≥ 300": SQLite answers an OR by merging two status-index
  // scans and sorting every error ever logged; a NOT lets it walk the newest-first index instead.
  else if (filter.status === "error") conditions.push(`NOT (r."status" BETWEEN 200 AND 299)`);
  for (const [key, value] of Object.entries(filter.properties ?? {})) {
    const matches = `p."organizationId" = ${params.add(filter.organizationId)} AND p."key" = ${params.add(key.toLowerCase())} AND p."value" = ${params.add(value)}`;
    if (propertyMatch === "per-row") {
      // The property row repeats its request's start time, and so lies in the filter's range: on
      // PostgreSQL the probe then reads the partition that can hold it, not one index a partition.
      conditions.push(`EXISTS (SELECT 1 FROM "RequestProperty" p WHERE p."requestId" = r."id" AND p."startTime" = r."startTime" AND ${matches}${sameTimeRange("p", filter, params)})`);
      continue;
    }
    // …and so the range narrows the index walk (and PostgreSQL's partitions).
    conditions.push(`r."id" IN (SELECT p."requestId" FROM "RequestProperty" p WHERE ${matches}${sameTimeRange("p", filter, params)})`);
  }
  return conditions.join(" AND ");
}

/**
 * The filter's time range on another table's "startTime" that repeats its request's (a property
 * row, a body), as conditions each preceded by AND ("" without a range).
 */
export function sameTimeRange(alias: string, filter: Pick<RequestSliceFilter, "from" | "to" | "before">, params: SqlParameters): string {
  let inRange = "";
  if (filter.from) inRange += ` AND ${alias}."startTime" >= ${params.time(filter.from)}`;
  if (filter.to) inRange += ` AND ${alias}."startTime" <= ${params.time(filter.to)}`;
  if (filter.before) inRange += ` AND ${alias}."startTime" < ${params.time(filter.before)}`;
  return inRange;
}
