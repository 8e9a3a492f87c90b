import { ZodError } from "zod";
import { isStorageUnavailable } from "../storage/unavailable";

/** The one error type every handler throws; mapped to `{ error: { code, message } }` by toErrorResponse. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError("not_found", `${what} not found`, 404);
export const unauthorized = (message: string) => new ApiError("unauthorized", message, 401);
export const badRequest = (message: string) => new ApiError("bad_request", message, 400);

// Long enough for a database to come back from a restart, short enough not to idle a client.
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * The one answer to "cannot do this right now" (the database is unreachable or slow, storage is
 * not keeping up): 503 with Retry-After, code "unavailable", on every endpoint.
 */
export const unavailable = (message: string) =>
  new ApiError("unavailable", message, 503, { "retry-after": String(UNAVAILABLE_RETRY_AFTER_SECONDS) });

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: { code: string; message: string; issues?: Array<{ path: string; message: string }> } };
}

/**
 * Maps anything thrown to a status and a body that says what is wrong. A database that cannot
 * answer is a 503 the caller may retry; other unknown errors become a bare 500: their message may
 * hold internals (SQL, paths), so it goes to the server log only.
 */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof ApiError) {
    return { status: error.status, headers: error.headers, body: { error: { code: error.code, message: error.message } } };
  }
  if (error instanceof ZodError) {
    const issues = error.issues.map((issue) => ({ path: issue.path.join(".") || "(root)", message: issue.message }));
    const message = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
    return { status: 400, headers: {}, body: { error: { code: "invalid_request", message, issues } } };
  }
  if (isStorageUnavailable(error)) return toErrorResponse(unavailable("The database is not answering right now; retry later."));
  console.error("[api] unexpected error", error);
  return { status: 500, headers: {}, body: { error: { code: "internal_error", message: "Internal server error" } } };
}
