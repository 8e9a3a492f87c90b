import type { IncomingHttpHeaders } from "node:http";
import type { z } from "zod";
import type { Reply } from "./reply";

/** What a provider's handlers may read besides the request body. */
export interface GenerationContext {
  /** Per-server counter: ids (chatcmpl-mock7, msg_mock7, req_mock7) are deterministic within a run. */
  sequence: number;
  /** Unix seconds, read once per request. */
  nowSeconds: number;
  completionTokens: number;
  cachedTokens: number;
}

/** One provider's wire format: its auth rule, its error shape and its endpoints. Pure: no I/O. */
export interface ProviderApi {
  /** Header carrying the request id on every response, as the real provider names it. */
  requestIdHeader: string;
  /** The provider's 401 when the request carries no credentials at all; null otherwise. */
  rejectMissingCredentials(headers: IncomingHttpHeaders, sequence: number): Reply | null;
  /** An error in the provider's own shape; `message` defaults to the provider's usual text. */
  error(status: number, sequence: number, message?: string): Reply;
  /** Answers one request; malformed bodies come back as the provider's 400. */
  handle(method: string, pathname: string, body: unknown, context: GenerationContext): Reply;
}

export function requestId(sequence: number): string {
  return `req_mock${sequence}`;
}

/** A 400 a handler raises; each provider renders it in its own error shape. */
export class InvalidRequestError extends Error {
  readonly param: string | null;

  constructor(message: string, param: string | null = null) {
    super(message);
    this.param = param;
  }
}

/**
 * Validates only the fields the mock reads (schemas are loose objects), so any body the real API
 * accepts passes here too. The first issue becomes the error, named by its field path.
 */
export function parseRequest<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue && issue.path.length > 0 ? issue.path.join(".") : null;
  throw new InvalidRequestError(param ? `${param}: ${issue?.message}` : (issue?.message ?? "Invalid request body"), param);
}
