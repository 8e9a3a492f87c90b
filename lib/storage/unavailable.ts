/**
 * Whether an error says the database cannot serve right now (unreachable, connection lost,
 * timed out, busy or locked) rather than that the request or the code is wrong: the first is a
 * 503 the caller may retry, the second a bug worth a 500 and a log line.
 */
export function isStorageUnavailable(error: unknown): boolean {
  return signsOf(error).some((sign) => UNAVAILABLE.has(sign) || UNAVAILABLE_PATTERN.test(sign));
}

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
// SQLite busy/locked/lock protocol/I-O; PostgreSQL SQLSTATE class 08 (connection), 53 (resources),
// 57 (operator intervention: shutdown, statement timeout), 55P03 (lock not available).
const UNAVAILABLE_PATTERN = /^(SQLITE_(BUSY|LOCKED|PROTOCOL|IOERR|CANTOPEN|FULL)\w*|08[0-9A-Z]{3}|53[0-9A-Z]{3}|57[0-9A-Z]{3}|55P03)$/;
// pg's own messages for a connection that went away or never came.
const PG_CONNECTION_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/;

/** Codes and kinds anywhere in the error: the driver's, or Prisma's wrapping of it. */
function signsOf(error: unknown, depth = 0): string[] {
  if (!error || typeof error !== "object" || depth > 4) return [];
  const record = error as Record<string, unknown>;
  const signs: string[] = [];
  for (const key of ["code", "originalCode", "sqlState", "kind", "errorCode"]) {
    if (typeof record[key] === "string") signs.push(record[key] as string);
  }
  if (typeof record.message === "string") {
    signs.push(...(record.message.match(/SQLITE_[A-Z_]+|\bP\d{4}\b|\bE[A-Z]{4,}\b/g) ?? []));
    if (PG_CONNECTION_MESSAGE.test(record.message)) signs.push("ConnectionClosed");
  }
  for (const key of ["meta", "cause", "driverAdapterError"]) signs.push(...signsOf(record[key], depth + 1));
  return signs;
}
