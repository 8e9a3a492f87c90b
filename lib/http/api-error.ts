import { ZodError } from "zod";

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

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: { code: string; message: string; issues?: Array<{ path: string; message: string }> } };
}

/**
 * Maps anything thrown to a status and a body that says what is wrong. Unknown errors become a
 * bare 500: their message may hold internals (SQL, paths), so it goes to the server log only.
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
  console.error("[api] unexpected error", error);
  return { status: 500, headers: {}, body: { error: { code: "internal_error", message: "Internal server error" } } };
}
