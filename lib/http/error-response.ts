import { ZodError } from "zod";
import { ApiError, unavailable } from "../shared/api-error";
import { isStorageUnavailable } from "../storage/storage-errors";

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
