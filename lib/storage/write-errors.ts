/**
 * Whether a failed write was refused for its data (a constraint, a value out of range, text the
 * database cannot hold), so that retrying the same rows can never succeed — as opposed to an
 * outage (busy, locked, connection lost), which a retry outlives.
 */
export function isRefusedData(error: unknown): boolean {
  return errorCodes(error).some((code) => SQLITE_DATA_ERROR.test(code) || POSTGRES_DATA_ERROR.test(code));
}

// SQLite: constraint violations, datatype mismatch, string or blob too big.
const SQLITE_DATA_ERROR = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/;
// PostgreSQL SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation).
const POSTGRES_DATA_ERROR = /^2[23][0-9A-Z]{3}$/;

/** Codes anywhere in the error: the driver's, or Prisma's wrapping of it (meta, cause, message). */
function errorCodes(error: unknown, depth = 0): string[] {
  if (!error || typeof error !== "object" || depth > 4) return [];
  const codes: string[] = [];
  const record = error as Record<string, unknown>;
  for (const key of ["code", "originalCode", "sqlState"]) {
    if (typeof record[key] === "string") codes.push(record[key] as string);
  }
  if (typeof record.message === "string") {
    codes.push(...(record.message.match(/SQLITE_[A-Z_]+|\b2[23][0-9A-Z]{3}\b/g) ?? []));
  }
  for (const key of ["meta", "cause", "driverAdapterError"]) codes.push(...errorCodes(record[key], depth + 1));
  return codes;
}
