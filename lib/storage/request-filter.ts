import type { DatabaseKind } from "./database-url";

/**
 * The Requests page's filters as SQL, for either database: what a slice of the Request table
 * (alias `r`) must satisfy. Property keys match case-insensitively (stored lower-cased), values
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
  /** startTime ≥ from */
  from?: Date;
  /** startTime < before */
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

/** The filter's conditions on `r`, joined with AND (always at least the organization). */
export function requestSliceWhere(filter: RequestSliceFilter, params: SqlParameters): string {
  const conditions = [`r."organizationId" = ${params.add(filter.organizationId)}`];
  if (filter.from) conditions.push(`r."startTime" >= ${params.time(filter.from)}`);
  if (filter.before) conditions.push(`r."startTime" < ${params.time(filter.before)}`);
  const equal = (column: string, value: string | undefined) => {
    if (value !== undefined) conditions.push(`r."${column}" = ${params.add(value)}`);
  };
  equal("model", filter.model);
  equal("provider", filter.provider);
  equal("sessionId", filter.sessionId);
  equal("userId", filter.userId);
  if (typeof filter.status === "number") conditions.push(`r."status" = ${params.add(filter.status)}`);
  else if (filter.status === "ok") conditions.push(`r."status" BETWEEN 200 AND 299`);
  else if (filter.status === "error") conditions.push(`NOT (r."status" BETWEEN 200 AND 299)`);
  for (const [key, value] of Object.entries(filter.properties ?? {})) {
    // The property row repeats its request's start time, so the range narrows the index walk
    // (organizationId, key, value, startTime) to the slice's rows.
    let subquery = `SELECT p."requestId" FROM "RequestProperty" p WHERE p."organizationId" = ${params.add(filter.organizationId)}`;
    subquery += ` AND p."key" = ${params.add(key.toLowerCase())} AND p."value" = ${params.add(value)}`;
    if (filter.from) subquery += ` AND p."startTime" >= ${params.time(filter.from)}`;
    if (filter.before) subquery += ` AND p."startTime" < ${params.time(filter.before)}`;
    conditions.push(`r."id" IN (${subquery})`);
  }
  return conditions.join(" AND ");
}
