/**
 * What a database error means for the caller, read from the codes it carries (the driver's, or
 * Prisma's wrapping of them): refused data, which no retry can fix, or a database that cannot
 * answer right now, which a retry outlives.
 */

/**
 * Whether a failed write was refused for its data (a constraint, a value out of range, text the
 * database cannot hold), so that retrying the same rows can never succeed.
 */
export function isRefusedData(error: unknown): boolean {
  return signsOf(error).some((sign) => SQLITE_DATA_ERROR.test(sign) || POSTGRES_DATA_ERROR.test(sign));
}

/**
 * Whether the database cannot serve right now (unreachable, connection lost, timed out, busy or
 * locked) rather than the request or the code being wrong: the first is a 503 the caller may
 * retry, the second a bug worth a 500 and a log line.
 */
export function isStorageUnavailable(error: unknown): boolean {
  return signsOf(error).some((sign) => UNAVAILABLE.has(sign) || UNAVAILABLE_PATTERN.test(sign));
}

// SQLite: constraint violations, datatype mismatch, string or blob too big.
const SQLITE_DATA_ERROR = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/;
// PostgreSQL SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation).
const POSTGRES_DATA_ERROR = /^2[23][0-9A-Z]{3}$/;

// Node's socket errors; Prisma's driver-adapter error kinds and its connection error codes.
const UNAVAILABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
  "P1001",
  "P1002",
  "P1008",
  "P1017",
  "P2024",
]);
// SQLite busy/locked/lock protocol/I-O; PostgreSQL SQLSTATE class 08 (connection), 53
// (resources), 57 (operator intervention: shutdown, statement timeout), 55P03 (lock not available).
const UNAVAILABLE_PATTERN = /^(SQLITE_(BUSY|LOCKED|PROTOCOL|IOERR|CANTOPEN|FULL)\w*|08[0-9A-Z]{3}|53[0-9A-Z]{3}|57[0-9A-Z]{3}|55P03)$/;
// Codes as they appear inside messages; and pg's own words for a connection that went away or never came.
const CODE_IN_MESSAGE = /SQLITE_[A-Z_]+|\b2[23][0-9A-Z]{3}\b|\bP\d{4}\b|\bE[A-Z]{4,}\b/g;
const PG_CONNECTION_MESSAGE = /Connection terminated|timeout exceeded when trying to connect/;

/** Codes and kinds anywhere in the error: the driver's, or Prisma's wrapping of it (meta, cause, message). */
function signsOf(error: unknown, depth = 0): string[] {
  if (!error || typeof error !== "object" || depth > 4) return [];
  const record = error as Record<string, unknown>;
  const signs: string[] = [];
  for (const key of ["code", "originalCode", "sqlState", "kind", "errorCode"]) {
    if (typeof record[key] === "string") signs.push(record[key] as string);
  }
  if (typeof record.message === "string") {
    signs.push(...(record.message.match(CODE_IN_MESSAGE) ?? []));
    if (PG_CONNECTION_MESSAGE.test(record.message)) signs.push("ConnectionClosed");
  }
  for (const key of ["meta", "cause", "driverAdapterError"]) signs.push(...signsOf(record[key], depth + 1));
  return signs;
}
