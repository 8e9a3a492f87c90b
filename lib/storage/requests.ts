import { createHash } from "node:crypto";
import { resolveDatabase } from "./database-url";
import { databaseKind, getDb } from "./db";
import { genericPlanPool } from "./read-connections";
import { requestListFields } from "./request-columns";
import { requestSliceWhere, sameTimeRange, SqlParameters, type RequestSliceFilter } from "./request-filter";

export interface RequestFilter extends Omit<RequestSliceFilter, "before"> {
  /** text in the request or response body */
  search?: string;
  limit: number;
  /** keyset cursor: the (startTime, id) of the last row of the previous page */
  after?: { startTime: Date; id: string };
}

/**
 * Newest first, keyset-paginated on (startTime, id) so page 1,000 costs what page 1 costs.
 * `search` is literal text: LIKE's wildcards in it match only themselves.
 */
export async function listRequests(filter: RequestFilter): Promise<RequestRow[]> {
  if (filter.search && LIKE_WILDCARD.test(filter.search) && databaseKind() === "sqlite") return listWithLiteralSearch(filter, filter.search);
  if (databaseKind() === "postgres" && isPropertyOnlyFilter(filter)) return listByPropertyIndex(filter);
  return findRequestsPage(filter);
}

/** Properties, perhaps a time range and a cursor, and nothing else. */
function isPropertyOnlyFilter(filter: RequestFilter): boolean {
  const { properties, model, provider, status, sessionId, userId, traceId, search } = filter;
  return Object.keys(properties ?? {}).length > 0 && [model, provider, status, sessionId, userId, traceId, search].every((f) => f === undefined);
}

/**
 * A property filter on PostgreSQL, newest first. Asked as one query, PostgreSQL's planner joins
 * every request holding the property (100,000 of a million in the bench) and sorts them: ≈ 80 ms.
 * Walking the property index newest first instead (organizationId, key, value, startTime) reads
 * only as many rows as the page needs. Candidates come in pages of that walk; the full filter
 * (other properties included) then runs on each page's ids; if pages keep coming back thin, the
 * rest is asked the ordinary way, so the answer is always the same as findRequestsPage's.
 */
async function listByPropertyIndex(filter: RequestFilter): Promise<RequestRow[]> {
  const [key, value] = Object.entries(filter.properties!)[0]!;
  const rows: RequestRow[] = [];
  let after = filter.after;
  for (let round = 0; round < MAX_PROPERTY_ROUNDS; round++) {
    const candidates = await readIdsAndTimes(
      // The table's columns named through p: the output's "startTime" is epoch ms.
      `SELECT p."requestId" AS "id", ${POSTGRES_EPOCH_MS('p."startTime"')} AS "startTime" FROM "RequestProperty" p
       WHERE p."organizationId" = $1 AND p."key" = $2 AND p."value" = $3
         AND ($4::text IS NULL OR p."startTime" >= ($4::timestamptz AT TIME ZONE 'UTC'))
         AND ($5::text IS NULL OR p."startTime" <= ($5::timestamptz AT TIME ZONE 'UTC'))
         AND ($6::text IS NULL OR (p."startTime", p."requestId") < ($6::timestamptz AT TIME ZONE 'UTC', $7))
       ORDER BY p."startTime" DESC, p."requestId" DESC LIMIT ${Math.trunc(filter.limit)}`,
      [
        filter.organizationId,
        key.toLowerCase(),
        value,
        // Stored as UTC in a column without a time zone; ISO text with its Z says so whatever the session's zone.
        filter.from?.toISOString() ?? null,
        filter.to?.toISOString() ?? null,
        after?.startTime.toISOString() ?? null,
        after?.id ?? "",
      ],
      isBounded(filter),
    );
    if (candidates.length === 0) return rows;
    // Their time span too (newest first, so the last is the oldest): it leaves the answer as it
    // is, and on PostgreSQL the rows are read from those days' partitions only.
    const span = { from: candidates.at(-1)!.startTime, to: candidates[0]!.startTime };
    const page = await findRequestsPage({ ...filter, ...span, after, limit: filter.limit - rows.length, ids: candidates.map((c) => c.id) });
    rows.push(...page);
    if (rows.length >= filter.limit || candidates.length < filter.limit) return rows;
    after = candidates.at(-1)!;
  }
  return [...rows, ...(await findRequestsPage({ ...filter, after, limit: filter.limit - rows.length }))];
}

const MAX_PROPERTY_ROUNDS = 4;

/** A timestamp column read raw: a Date, epoch ms (PostgreSQL, POSTGRES_EPOCH_MS), or SQLite's text form of a UTC time. */
function asUtcDate(value: Date | string | number): Date {
  if (value instanceof Date) return value;
  if (typeof value === "number") return new Date(value);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(" ", "T")}Z`);
}

// TIMESTAMP(3) holds the UTC time without a zone; extract(epoch …) reads it as UTC whatever the
// session's TimeZone (pg would parse the value as local time).
const POSTGRES_EPOCH_MS = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;

/** Whether the filter bounds the start time (from, to): then PostgreSQL prunes partitions while planning. */
function isBounded(filter: RequestFilter): boolean {
  return filter.from !== undefined || filter.to !== undefined;
}

/**
 * The ids and start times (columns "id" and "startTime") a page's query selects, in its order.
 * On PostgreSQL a query whose filter bounds no time is a named statement on a pool that keeps
 * each statement's first plan (genericPlanPool): planned for each call, it visits every partition,
 * 6–15 ms at a million rows in 44 daily partitions against ≈ 1 ms to run it, where the plain table
 * took ≈ 0.5 ms; planned once, it runs in ≈ 1 ms, pruning by the cursor as it starts. A bounded
 * query goes through Prisma, planned for its values, which prunes the partitions outside the range.
 */
async function readIdsAndTimes(sql: string, values: unknown[], bounded: boolean): Promise<Array<{ id: string; startTime: Date }>> {
  const database = resolveDatabase();
  if (database.kind === "postgres" && !bounded) {
    const name = `tracewell-page-${createHash("sha1").update(sql).digest("hex").slice(0, 16)}`;
    const { rows } = await genericPlanPool(database.url).query<{ id: string; startTime: number }>({ name, text: sql, values });
    return rows.map((row) => ({ id: row.id, startTime: new Date(row.startTime) }));
  }
  const rows = await getDb().$queryRawUnsafe<Array<{ id: string; startTime: Date | string | number }>>(sql, ...values);
  return rows.map((row) => ({ id: row.id, startTime: asUtcDate(row.startTime) }));
}

const LIKE_WILDCARD = /[%_]/;

/**
 * SQLite's LIKE (which Prisma's `contains` uses) has no escape character unless the query names
 * one, so a search for "50%" or "max_tokens" is run as a pattern, a superset of the requests that
 * hold the text, and each page is checked against the bodies themselves; pages that lose rows are
 * topped up from the next ones. Case-insensitive like LIKE. PostgreSQL escapes instead (below).
 */
async function listWithLiteralSearch(filter: RequestFilter, search: string): Promise<RequestRow[]> {
  const needle = search.toLowerCase();
  const rows: RequestRow[] = [];
  let after = filter.after;
  for (let round = 0; round < MAX_SEARCH_ROUNDS && rows.length < filter.limit; round++) {
    const candidates = await findRequestsPage({ ...filter, after });
    if (candidates.length === 0) break;
    const bodies = await getDb().requestBody.findMany({
      where: { requestId: { in: candidates.map((row) => row.id) } },
      select: { requestId: true, requestBody: true, responseBody: true },
    });
    const holding = new Set(
      bodies.filter((b) => b.requestBody?.toLowerCase().includes(needle) || b.responseBody?.toLowerCase().includes(needle)).map((b) => b.requestId),
    );
    for (const row of candidates) if (holding.has(row.id) && rows.length < filter.limit) rows.push(row);
    if (candidates.length < filter.limit) break;
    const last = candidates.at(-1)!;
    after = { startTime: last.startTime, id: last.id };
  }
  return rows;
}

// Bounds the work of one page when the pattern matches far more than the text does.
const MAX_SEARCH_ROUNDS = 20;

/** PostgreSQL's LIKE takes backslash as its escape character: the text then matches only itself. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * One page, newest first: the filters' WHERE (request-filter.ts) picks the page's ids, then the
 * rows are read by id, within the page's time span (on PostgreSQL, the partitions of those days
 * only). On SQLite `search` is a LIKE pattern here (see listWithLiteralSearch).
 */
async function findRequestsPage(filter: RequestFilter & { ids?: string[] }) {
  const params = new SqlParameters(databaseKind());
  const conditions = [requestSliceWhere(filter, params, "per-row")];
  if (filter.ids) conditions.push(`r."id" IN (${filter.ids.map((id) => params.add(id)).join(", ")})`);
  if (filter.search) {
    const pattern = `%${params.kind === "postgres" ? escapeLike(filter.search) : filter.search}%`;
    conditions.push(
      `r."id" IN (SELECT b."requestId" FROM "RequestBody" b WHERE (b."requestBody" LIKE ${params.add(pattern)} OR b."responseBody" LIKE ${params.add(pattern)})${sameTimeRange("b", filter, params)})`,
    );
  }
  if (filter.after) {
    const { startTime, id } = filter.after;
    conditions.push(`(r."startTime" < ${params.time(startTime)} OR (r."startTime" = ${params.time(startTime)} AND r."id" < ${params.add(id)}))`);
  }
  const startTime = params.kind === "postgres" ? POSTGRES_EPOCH_MS(`r."startTime"`) : `r."startTime"`;
  const page = await readIdsAndTimes(
    `SELECT r."id" AS "id", ${startTime} AS "startTime" FROM "Request" r WHERE ${conditions.join(" AND ")} ORDER BY r."startTime" DESC, r."id" DESC LIMIT ${Math.trunc(filter.limit)}`,
    params.values,
    isBounded(filter),
  );
  if (page.length === 0) return [];
  // Newest first: the last row starts first.
  const span = { gte: page.at(-1)!.startTime, lte: page[0]!.startTime };
  const rows = await getDb().request.findMany({ where: { id: { in: page.map((row) => row.id) }, startTime: span }, select: requestListFields });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return page.flatMap((row) => byId.get(row.id) ?? []);
}

export type RequestRow = Awaited<ReturnType<typeof findRequestsPage>>[number];

/** One request with its bodies, or null when it does not exist in this organization. */
export async function findRequest(organizationId: string, id: string) {
  const row = await getDb().request.findFirst({ where: { id, organizationId }, select: requestListFields });
  if (!row) return null;
  // By the request's start time too: on PostgreSQL, the one partition that can hold the body.
  const body = await getDb().requestBody.findFirst({
    where: { requestId: id, startTime: row.startTime },
    select: { requestBody: true, responseBody: true, requestHeaders: true, responseHeaders: true },
  });
  return { ...row, body };
}

/** Every request of a trace (bodies excluded), in no particular order. */
export async function findTraceRequests(organizationId: string, traceId: string): Promise<RequestRow[]> {
  return getDb().request.findMany({ where: { organizationId, traceId }, select: requestListFields });
}

/** Every request of a session, oldest first (bodies excluded). */
export async function findSessionRequests(organizationId: string, sessionId: string): Promise<RequestRow[]> {
  return getDb().request.findMany({
    where: { organizationId, sessionId },
    orderBy: [{ startTime: "asc" }, { id: "asc" }],
    select: requestListFields,
  });
}
