/**
 * The one error type every layer throws for a condition the caller should hear about; lib/http's
 * toErrorResponse maps it to `{ error: { code, message } }` and its status.
 */
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
