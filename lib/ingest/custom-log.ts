import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { LoggedRequest, TokenUsage } from "../domain/logged-request";
import { providerOfApiUrl, type PriceUsageInput } from "../domain/cost";
import { ApiError } from "../shared/api-error";
import { MAX_JSON_NESTING, pathPastNestingLimit } from "../shared/json-nesting";
import { readHeliconeContext } from "./helicone-headers";
import { redactHeaders } from "./headers";
import { readProviderExchange, type ProviderExchange } from "./providers";
import { bodyText, NO_USAGE } from "./providers/exchange";
import { heliconeFields, usageFields } from "./record-fields";
import { CANCELLED_REASON, errorReasonFromText } from "./error-reason";
import { readLoggedStep } from "./logged-step";
import { isTokenCount, MAX_TOKEN_COUNT } from "./token-count";
import { toLoggedRequest, type UnpricedInput } from "./writer/log-input";

const EARLIEST_ACCEPTED_TIME = Date.UTC(2000, 0, 1);
const MAX_FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;

/**
 * A point in time as callers send it: `{seconds, nanos}` (protobuf Timestamp, as in the seed),
 * `{seconds, milliseconds}`, epoch milliseconds, or an ISO 8601 string.
 */
const timestampSchema = z.union([
  z.object({ seconds: z.number().finite(), nanos: z.number().finite().optional() }).strict(),
  z.object({ seconds: z.number().finite(), milliseconds: z.number().finite() }).strict(),
  z.number().finite(),
  z.string().refine((text) => !Number.isNaN(Date.parse(text)), "expected an ISO 8601 date-time"),
]);

function toEpochMs(time: z.infer<typeof timestampSchema>): number {
  if (typeof time === "number") return time;
  if (typeof time === "string") return Date.parse(time);
  if ("milliseconds" in time) return time.seconds * 1000 + time.milliseconds;
  return time.seconds * 1000 + (time.nanos ?? 0) / 1e6;
}

const jsonObject = z.record(z.string(), z.unknown());

export const customLogSchema = z.object({
  providerRequest: z.object({
    url: z.string().min(1),
    json: jsonObject,
    meta: z.record(z.string(), z.string()).optional(),
  }),
  providerResponse: z.object({
    json: z.unknown(),
    // Helicone's loggers send a streamed or text answer here, with `json: {}` (Python: null when unused).
    textBody: z.string().nullish(),
    // Helicone's loggers send -3 for a call the client cancelled; other negative values are its codes for "no HTTP status".
    status: z.number().int().min(-999).max(999),
    headers: z.record(z.string(), z.string()).optional(),
  }),
  timing: z
    .object({ startTime: timestampSchema, endTime: timestampSchema, timeToFirstToken: z.number().nonnegative().nullish() })
    .optional(),
  // Optional: the route, the body, the URL's host, else "custom" (see chooseProvider).
  provider: z.string().min(1).max(100).optional(),
});

export type CustomLogBody = z.infer<typeof customLogSchema>;

/**
 * POST /v1/trace/custom/log, as in the seed, and the paths Helicone's manual loggers post to: a
 * call the caller made itself (any provider, any framework), logged with the same fields as a
 * proxied one. Helicone-* values may come as request headers or inside providerRequest.meta;
 * headers win. `routeProvider` is the provider the path implies (/oai/v1/log: "openai"), null
 * when the body must say. Throws ApiError (400) naming what is wrong.
 */
export function customLogToLoggedRequest(
  organizationId: string,
  body: unknown,
  headers: Iterable<readonly [string, string]>,
  receivedAtMs: number,
  routeProvider: string | null = null,
): LoggedRequest {
  return toLoggedRequest(customLogToLogInput(organizationId, body, headers, receivedAtMs, routeProvider));
}

/** As customLogToLoggedRequest, with the price lookup left to the log writer. */
export function customLogToLogInput(
  organizationId: string,
  body: unknown,
  headers: Iterable<readonly [string, string]>,
  receivedAtMs: number,
  routeProvider: string | null = null,
): UnpricedInput {
  refuseDeepNesting(body);
  const log = customLogSchema.parse(body);
  // The request JSON as sent, not zod's copy: a record rebuilt by zod drops a `__proto__` key,
  // and the stored body must be exactly what the caller logged.
  const requestJson = (body as { providerRequest: { json: Record<string, unknown> } }).providerRequest.json;
  const helicone = readHeliconeContext([...Object.entries(log.providerRequest.meta ?? {}), ...headers]);
  // The proxy logs such a call untraced; a custom log has no call to protect, so it is refused.
  if (helicone.nodeIdError) throw new ApiError("invalid_node_id", `Helicone-Node-Id is invalid: ${helicone.nodeIdError}`, 400);

  const startMs = log.timing ? toEpochMs(log.timing.startTime) : receivedAtMs;
  const endMs = log.timing ? toEpochMs(log.timing.endTime) : receivedAtMs;
  checkTiming(startMs, endMs, receivedAtMs);

  const path = pathOf(log.providerRequest.url);
  const step = readLoggedStep(requestJson);
  const provider = step?.kind ?? chooseProvider(routeProvider, log.provider, log.providerRequest.url);
  // A text answer (a stream as SSE or JSON lines, or any text) is read like a proxied body of
  // unknown type; an empty one means the answer is in `json`, as Helicone's logger sends it.
  const textBody = log.providerResponse.textBody || null;
  const responseBody = textBody ?? (log.providerResponse.json as object | null | undefined) ?? null;
  const read: ProviderExchange = step
    ? { model: null, stream: false, storedResponseBody: bodyText(responseBody), usage: NO_USAGE }
    : readProviderExchange(provider, { path, requestBody: requestJson, responseBody, responseContentType: textBody ? null : "application/json" });
  checkTokenCounts(read.usage);
  const model = step ? null : (read.model ?? (typeof requestJson.model === "string" ? requestJson.model : null));
  const price: PriceUsageInput = { provider, model, usage: read.usage };
  const outcome = outcomeOf(log.providerResponse.status, read.storedResponseBody);

  const unpriced: LoggedRequest = {
    id: randomUUID(),
    organizationId,
    source: "custom",
    provider,
    model,
    method: "POST",
    path: step?.name ?? path,
    ...outcome,
    startTime: new Date(startMs),
    endTime: new Date(endMs),
    latencyMs: endMs - startMs,
    timeToFirstTokenMs: log.timing?.timeToFirstToken ?? null,
    stream: read.stream,
    ...usageFields(read.usage, PRICED_LATER),
    ...heliconeFields(helicone),
    requestBody: JSON.stringify(requestJson),
    // A stream is stored reassembled, as the proxy stores one; JSON and text as sent.
    responseBody: read.storedResponseBody,
    // The provider call's own headers are what `meta` carries; the log call's headers are ours.
    requestHeaders: redactHeaders(log.providerRequest.meta ?? {}),
    responseHeaders: redactHeaders(log.providerResponse.headers ?? {}),
  };
  return { unpriced, price };
}

/**
 * Whose call this was: the logging path's provider decides how the answer is read, so it comes
 * first; then the body's `provider`; then the host of providerRequest.url as the price table knows
 * it (api.openai.com, api.anthropic.com, generativelanguage.googleapis.com, …); else "custom",
 * whose answer is read by its shape and priced by its model's name.
 */
export function chooseProvider(routeProvider: string | null, bodyProvider: string | undefined, url: string): string {
  return (routeProvider ?? bodyProvider ?? providerOfApiUrl(url) ?? "custom").toLowerCase();
}

// Helicone's status for a call the client cancelled: there is no HTTP status to keep.
const HELICONE_CANCELLED = -3;

/**
 * The status columns. A cancelled call is recorded as the proxy records one that ended before any
 * response (status 0, cancelled, its reason); Helicone's other negative codes mean no HTTP status
 * either: status 0, failed, the code in the reason when the answer names no error.
 */
function outcomeOf(loggedStatus: number, storedResponse: string | null): Pick<LoggedRequest, "status" | "errorReason" | "cancelled"> {
  if (loggedStatus === HELICONE_CANCELLED) return { status: 0, errorReason: CANCELLED_REASON, cancelled: true };
  const isSuccess = loggedStatus >= 200 && loggedStatus < 300;
  return {
    status: Math.max(loggedStatus, 0),
    errorReason: isSuccess ? null : errorReasonFromText(storedResponse ?? "", loggedStatus),
    cancelled: false,
  };
}

/** Placeholder cost fields of an unpriced record: toLoggedRequest replaces them. */
const PRICED_LATER = { costUsd: null, costUnknown: true };

/** Checked before anything reads the body: the readers and the stored copy re-serialize it. */
function refuseDeepNesting(body: unknown): void {
  const path = pathPastNestingLimit(body);
  if (!path) return;
  const where = path.length > 3 ? `${path.slice(0, 3).join(".")}…` : path.join(".");
  throw new ApiError("too_deeply_nested", `${where}: JSON is nested more than ${MAX_JSON_NESTING} levels deep`, 400);
}

function checkTiming(startMs: number, endMs: number, nowMs: number): void {
  const invalid = (message: string) => new ApiError("invalid_timing", message, 400);
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) throw invalid("timing: startTime and endTime must be valid times");
  if (endMs < startMs) throw invalid("timing.endTime is before timing.startTime");
  if (startMs < EARLIEST_ACCEPTED_TIME) throw invalid("timing.startTime is before the year 2000: send epoch milliseconds, {seconds, nanos} or ISO 8601");
  if (endMs > nowMs + MAX_FUTURE_SKEW_MS) throw invalid("timing.endTime is more than a day in the future");
}

/** The usage block is the caller's: a count that is not a whole number, or cannot be stored, is a bad body. */
function checkTokenCounts(usage: TokenUsage): void {
  const counts = { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, cachedTokens: usage.cachedTokens, totalTokens: usage.totalTokens };
  for (const [name, count] of Object.entries(counts)) {
    if (count === null || isTokenCount(count)) continue;
    throw new ApiError(
      "invalid_usage",
      `providerResponse.json.usage: token counts must be whole numbers from 0 to ${MAX_TOKEN_COUNT} (${name} would be ${count})`,
      400,
    );
  }
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.startsWith("/") ? url.split("?")[0]! : "/";
  }
}
