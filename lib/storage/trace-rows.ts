import Database from "better-sqlite3";
import pg from "pg";
import { resolveDatabase } from "./database-url";
import type { RequestRow } from "./requests";

/**
 * The columns of one request that GET /api/v1/traces/{id} needs, times as epoch milliseconds.
 * It has every field the trace tree reads (TraceRequest), so the tree is built over these rows
 * as they are, without a wrapper object per request.
 */
export interface TraceRow {
  id: string;
  /** null for a request that carries the trace id but no usable node id */
  nodeId: string | null;
  parentNodeId: string | null;
  source: string;
  status: number;
  errorReason: string | null;
  cancelled: boolean;
  provider: string;
  model: string | null;
  path: string;
  startMs: number;
  endMs: number;
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  stream: boolean;
  costUsd: number | null;
  costUnknown: boolean;
  promptTokens: number | null;
  completionTokens: number | null;
  cachedTokens: number | null;
  tokensEstimated: boolean;
  sessionId: string | null;
  userId: string | null;
  /** JSON object text, as stored */
  properties: string;
}

// One list, in this order, for both databases: the row arrays below are read by position.
const COLUMNS = [
  "id",
  "nodeId",
  "parentNodeId",
  "source",
  "status",
  "errorReason",
  "cancelled",
  "provider",
  "model",
  "path",
  "startTime",
  "endTime",
  "latencyMs",
  "timeToFirstTokenMs",
  "stream",
  "costUsd",
  "costUnknown",
  "promptTokens",
  "completionTokens",
  "cachedTokens",
  "tokensEstimated",
  "sessionId",
  "userId",
  "properties",
] as const;

/**
 * Every request of a trace in this organization (bodies excluded), in no particular order.
 *
 * Read beside Prisma rather than through it: for a 10,000-request trace Prisma's findMany took
 * ≈190 ms and its $queryRaw ≈100 ms, nearly all of it turning values into objects, against
 * ≈25 ms for these statements. SQLite is read on a connection of its own (WAL lets it read beside
 * the log writer), PostgreSQL through a small pool; both select only these columns, as arrays,
 * and always filter on the organization (the (organizationId, traceId) index serves both).
 */
export async function findTraceRows(organizationId: string, traceId: string): Promise<TraceRow[]> {
  const database = resolveDatabase();
  if (database.kind === "sqlite") return sqliteTraceRows(database.filePath, organizationId, traceId);
  return postgresTraceRows(database.url, organizationId, traceId);
}

/** The same fields from a Prisma row: the reference the raw reads are tested against, and test fixtures. */
export function traceRowFromRequest(row: RequestRow): TraceRow {
  return {
    id: row.id,
    nodeId: row.nodeId,
    parentNodeId: row.parentNodeId,
    source: row.source,
    status: row.status,
    errorReason: row.errorReason,
    cancelled: row.cancelled,
    provider: row.provider,
    model: row.model,
    path: row.path,
    startMs: row.startTime.getTime(),
    endMs: row.endTime.getTime(),
    latencyMs: row.latencyMs,
    timeToFirstTokenMs: row.timeToFirstTokenMs,
    stream: row.stream,
    costUsd: row.costUsd,
    costUnknown: row.costUnknown,
    promptTokens: row.promptTokens,
    completionTokens: row.completionTokens,
    cachedTokens: row.cachedTokens,
    tokensEstimated: row.tokensEstimated,
    sessionId: row.sessionId,
    userId: row.userId,
    properties: row.properties,
  };
}

// ---------------------------------------------------------------- SQLite

interface SqliteReader {
  filePath: string;
  db: Database.Database;
  statement: Database.Statement<[string, string], unknown[]>;
}

// On globalThis, as db.ts keeps Prisma's client: the custom server and Next's bundles each load
// this module, yet the process should hold one reading connection per database file.
const holder = globalThis as { tracewellTraceReader?: SqliteReader; tracewellTracePool?: { url: string; pool: pg.Pool } };

function sqliteReader(filePath: string): SqliteReader {
  const current = holder.tracewellTraceReader;
  if (current?.filePath === filePath) return current;
  current?.db.close();
  // Opened read-write but query_only: a read-only open cannot create the WAL index when it is the
  // first connection to the file, and this one must never write anyway. The file is already in
  // WAL mode (migrations and every other connection set it, and it persists); timeout is the busy
  // timeout, which a reader meets only while recovery holds the file.
  const db = new Database(filePath, { fileMustExist: true, timeout: 5000 });
  db.pragma("query_only = ON");
  const columns = COLUMNS.map((name) => `"${name}"`).join(", ");
  const statement = db
    .prepare<[string, string], unknown[]>(`SELECT ${columns} FROM "Request" WHERE "organizationId" = ? AND "traceId" = ?`)
    .raw(true);
  const reader = { filePath, db, statement };
  holder.tracewellTraceReader = reader;
  return reader;
}

function sqliteTraceRows(filePath: string, organizationId: string, traceId: string): TraceRow[] {
  // All rows in one call: stepping through them with iterate() crossed into the driver once a row
  // and took 1.5–2× as long for 10,000 rows (the arrays it saves from the garbage collector cost
  // less than that).
  const rows = sqliteReader(filePath).statement.all(organizationId, traceId);
  const result = new Array<TraceRow>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    // As stored by Prisma's SQLite adapter and by the insert worker: booleans 0/1, times as
    // ISO 8601 text (or epoch milliseconds, the adapter's other format).
    result[i] = {
      id: r[0] as string,
      nodeId: r[1] as string | null,
      parentNodeId: r[2] as string | null,
      source: r[3] as string,
      status: r[4] as number,
      errorReason: r[5] as string | null,
      cancelled: r[6] === 1,
      provider: r[7] as string,
      model: r[8] as string | null,
      path: r[9] as string,
      startMs: sqliteTimeMs(r[10]),
      endMs: sqliteTimeMs(r[11]),
      latencyMs: r[12] as number,
      timeToFirstTokenMs: r[13] as number | null,
      stream: r[14] === 1,
      costUsd: r[15] as number | null,
      costUnknown: r[16] === 1,
      promptTokens: r[17] as number | null,
      completionTokens: r[18] as number | null,
      cachedTokens: r[19] as number | null,
      tokensEstimated: r[20] === 1,
      sessionId: r[21] as string | null,
      userId: r[22] as string | null,
      properties: r[23] as string,
    };
  }
  return result;
}

const ZONED = /(?:[zZ]|[+-]\d\d:?\d\d)$/;

/** Epoch ms from a stored SQLite time: ISO 8601 text (UTC when it names no zone) or a number. */
export function sqliteTimeMs(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  const text = String(value);
  return Date.parse(ZONED.test(text) ? text : `${text.replace(" ", "T")}Z`);
}

// ---------------------------------------------------------------- PostgreSQL

function postgresPool(url: string): pg.Pool {
  const current = holder.tracewellTracePool;
  if (current?.url === url) return current.pool;
  void current?.pool.end();
  // A few connections beside Prisma's own pool; idle ones do not hold the process open. A server
  // that stops answering fails the connect in 5 s, as Prisma's does (db.ts), instead of hanging.
  const pool = new pg.Pool({ connectionString: url, max: 4, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000, allowExitOnIdle: true });
  pool.on("error", () => {}); // an idle connection the server dropped: the next query reconnects
  holder.tracewellTracePool = { url, pool };
  return pool;
}

// Times as epoch ms computed by the server: TIMESTAMP(3) holds the UTC time without a zone, and
// extract(epoch …) reads it as UTC whatever the session's TimeZone (pg would parse it as local).
const POSTGRES_SELECT = `SELECT ${COLUMNS.map((name) =>
  name === "startTime" || name === "endTime" ? `(extract(epoch from "${name}") * 1000)::float8` : `"${name}"`,
).join(", ")} FROM "Request" WHERE "organizationId" = $1 AND "traceId" = $2`;

async function postgresTraceRows(url: string, organizationId: string, traceId: string): Promise<TraceRow[]> {
  const { rows } = await postgresPool(url).query<unknown[]>({
    name: "tracewell-trace-rows",
    text: POSTGRES_SELECT,
    values: [organizationId, traceId],
    rowMode: "array",
  });
  const result = new Array<TraceRow>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    // pg has already turned integers, doubles and booleans into numbers and booleans.
    result[i] = {
      id: r[0] as string,
      nodeId: r[1] as string | null,
      parentNodeId: r[2] as string | null,
      source: r[3] as string,
      status: r[4] as number,
      errorReason: r[5] as string | null,
      cancelled: r[6] as boolean,
      provider: r[7] as string,
      model: r[8] as string | null,
      path: r[9] as string,
      startMs: r[10] as number,
      endMs: r[11] as number,
      latencyMs: r[12] as number,
      timeToFirstTokenMs: r[13] as number | null,
      stream: r[14] as boolean,
      costUsd: r[15] as number | null,
      costUnknown: r[16] as boolean,
      promptTokens: r[17] as number | null,
      completionTokens: r[18] as number | null,
      cachedTokens: r[19] as number | null,
      tokensEstimated: r[20] as boolean,
      sessionId: r[21] as string | null,
      userId: r[22] as string | null,
      properties: r[23] as string,
    };
  }
  return result;
}

/** Closes the trace reader's SQLite connection and PostgreSQL pool (tests, shutdown). */
export async function closeTraceReaders(): Promise<void> {
  const reader = holder.tracewellTraceReader;
  const pool = holder.tracewellTracePool;
  holder.tracewellTraceReader = undefined;
  holder.tracewellTracePool = undefined;
  reader?.db.close();
  await pool?.pool.end();
}
