import Database from "better-sqlite3";
import { TRACE_REQUEST_FIELDS, type ServerObjectOf, type TraceFieldKind, type TraceRequestField } from "../contracts/trace";
import { processSlot } from "../shared/process-slot";
import { resolveDatabase } from "./database-url";
import { closeReadPool, openSqliteReader, readPool } from "./read-connections";

type StoredField = Pick<TraceRequestField, "kind" | "column" | "from">;

/** Read beside the response's request fields: where each request sits in the tree. */
const TREE_FIELDS = [
  // null for a request that carries the trace id but no usable node id
  { kind: "nullableString", column: "nodeId", from: "nodeId" },
  { kind: "nullableString", column: "parentNodeId", from: "parentNodeId" },
] as const satisfies readonly StoredField[];

/** Every column read, in the order of the row arrays both databases return. */
const FIELDS: readonly StoredField[] = [...TRACE_REQUEST_FIELDS, ...TREE_FIELDS];

/**
 * One request as GET /api/v1/traces/{id} reads it: the response's request fields
 * (TRACE_REQUEST_FIELDS, times as epoch milliseconds, properties as stored JSON text) and its
 * place in the tree. It has every field the trace tree reads (TraceRequest), so the tree is built
 * over these rows as they are, without a wrapper object per request.
 */
export type TraceRow = ServerObjectOf<typeof TRACE_REQUEST_FIELDS> & ServerObjectOf<typeof TREE_FIELDS>;

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

/**
 * A function from row arrays (columns in FIELDS order) to TraceRows; `expressionOf` turns the
 * source text of one value into that of its decoded value, by the field's kind.
 *
 * Generated once from the table, because what it generates is the code a hand-written decoder
 * would be: one object literal a row. For 10,000 rows that took ≈ 3.8 ms, as the hand-written
 * decoders did, where a loop over the table setting one key at a time took ≈ 7.5 ms even when
 * starting from a copy of a template object (started from {}, it leaves the objects in dictionary
 * mode, slow for the tree to read). The source is built from the constant tables alone, never
 * from data.
 */
function rowDecoder(expressionOf: (kind: TraceFieldKind, value: string) => string, helpers: Record<string, unknown> = {}): (rows: unknown[][]) => TraceRow[] {
  const properties = FIELDS.map((field, i) => `${JSON.stringify(field.from)}: ${expressionOf(field.kind, `r[${i}]`)}`);
  const source = `return function decodeTraceRows(rows) {
  const result = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    result[i] = { ${properties.join(", ")} };
  }
  return result;
};`;
  return new Function(...Object.keys(helpers), source)(...Object.values(helpers));
}

// ---------------------------------------------------------------- SQLite

interface SqliteReader {
  filePath: string;
  db: Database.Database;
  statement: Database.Statement<[string, string], unknown[]>;
}

// The custom server and Next's bundles each load this module, yet the process should hold one
// reading connection per database file.
const sqliteReaderSlot = processSlot<SqliteReader>("trace-rows:sqlite-reader");

const SQLITE_SELECT = `SELECT ${FIELDS.map((field) => `"${field.column}"`).join(", ")} FROM "Request" WHERE "organizationId" = ? AND "traceId" = ?`;

function sqliteReader(filePath: string): SqliteReader {
  const current = sqliteReaderSlot.value;
  if (current?.filePath === filePath) return current;
  current?.db.close();
  const db = openSqliteReader(filePath);
  const statement = db.prepare<[string, string], unknown[]>(SQLITE_SELECT).raw(true);
  const reader = { filePath, db, statement };
  sqliteReaderSlot.value = reader;
  return reader;
}

// As stored by Prisma's SQLite adapter and by the insert worker: booleans 0/1, times as ISO 8601
// text (or epoch milliseconds, the adapter's other format).
const decodeSqliteRows = rowDecoder(
  (kind, value) => (kind === "boolean" ? `${value} === 1` : kind === "time" ? `sqliteTimeMs(${value})` : value),
  { sqliteTimeMs },
);

function sqliteTraceRows(filePath: string, organizationId: string, traceId: string): TraceRow[] {
  // All rows in one call: stepping through them with iterate() crossed into the driver once a row
  // and took 1.5–2× as long for 10,000 rows (the arrays it saves from the garbage collector cost
  // less than that).
  return decodeSqliteRows(sqliteReader(filePath).statement.all(organizationId, traceId));
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

// Times as epoch ms computed by the server: TIMESTAMP(3) holds the UTC time without a zone, and
// extract(epoch …) reads it as UTC whatever the session's TimeZone (pg would parse it as local).
const POSTGRES_SELECT = `SELECT ${FIELDS.map((field) =>
  field.kind === "time" ? `(extract(epoch from "${field.column}") * 1000)::float8` : `"${field.column}"`,
).join(", ")} FROM "Request" WHERE "organizationId" = $1 AND "traceId" = $2`;

// pg has already turned integers, doubles and booleans into numbers and booleans.
const decodePostgresRows = rowDecoder((_kind, value) => value);

async function postgresTraceRows(url: string, organizationId: string, traceId: string): Promise<TraceRow[]> {
  const { rows } = await readPool(url).query<unknown[]>({
    name: "tracewell-trace-rows",
    text: POSTGRES_SELECT,
    values: [organizationId, traceId],
    rowMode: "array",
  });
  return decodePostgresRows(rows);
}

/** Closes the trace reader's SQLite connection and the PostgreSQL read pool (tests, shutdown). */
export async function closeTraceReaders(): Promise<void> {
  const reader = sqliteReaderSlot.value;
  sqliteReaderSlot.value = undefined;
  reader?.db.close();
  await closeReadPool();
}
