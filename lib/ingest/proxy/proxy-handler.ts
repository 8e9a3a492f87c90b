import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { errors as undiciErrors, request as upstreamRequest, type Dispatcher } from "undici";
import { apiKeyFrom } from "../../auth/api-keys";
import { ApiError, unavailable } from "../../shared/api-error";
import { CANCELLED_REASON } from "../error-reason";
import { forwardableRequestHeaders, forwardableResponseHeaders } from "../headers";
import { providerErrorBody, type ProviderName } from "../provider-errors";
import { readBody, BodyTooLargeError } from "../read-body";
import { BoundedCapture } from "./bounded-capture";
import { chooseUpstream } from "./upstream-target";
import type { CapturedExchange } from "./captured-exchange";

export interface ProviderRoute {
  provider: ProviderName;
  /** path prefix that is ours, stripped before forwarding: "" for /v1/*, "/anthropic" for /anthropic/v1/* */
  mountPrefix: string;
  upstreamBaseUrl: string;
}

export interface ProxyDependencies {
  /** organization of the Helicone API key (null: none sent); throws the ApiError to answer (401, 429, 503) */
  authenticate(apiKey: string | null): Promise<string>;
  /**
   * Hands a finished exchange to the log writer. Resolves once its log is durable (stored, or
   * spooled on disk), or once waiting longer would only delay the client; never rejects.
   */
  record(exchange: CapturedExchange): Promise<void>;
  dispatcher: Dispatcher;
  /** origins a client may choose with Helicone-Target-Url (UPSTREAM_ALLOWLIST); empty: none */
  upstreamAllowlist: ReadonlySet<string>;
  maxRequestBodyBytes: number;
  maxLoggedBodyBytes: number;
}

/**
 * The logging proxy on the lean path: authenticate, forward byte for byte with undici, stream the
 * answer back chunk by chunk while keeping a bounded copy, and hand that copy to the log writer
 * once the upstream response has ended. Nothing about logging can change what the client receives.
 *
 * What the client has received in full is logged: the end of the response (the last bytes of a
 * body of known length, a stream's final event) leaves only once its log is durable, so an
 * instance killed at any moment loses the logs of calls in flight only, never of answered ones.
 * That wait is one batch commit (a millisecond or two) and is bounded (record).
 */
export async function handleProxyRequest(
  req: IncomingMessage,
  res: ServerResponse,
  route: ProviderRoute,
  deps: ProxyDependencies,
): Promise<void> {
  const startMs = Date.now();
  const startedAt = performance.now();
  const requestId = randomUUID();

  // Helicone-Auth only: Authorization carries the provider's own key, forwarded untouched.
  let organizationId: string;
  try {
    organizationId = await deps.authenticate(apiKeyFrom(req.headers["helicone-auth"]));
  } catch (error) {
    return respondWithError(res, route.provider, asApiError(error));
  }
  const upstream = chooseUpstream(route.upstreamBaseUrl, headerValue(req, "helicone-target-url"), deps.upstreamAllowlist);
  if ("error" in upstream) return respondWithError(res, route.provider, new ApiError("upstream_not_allowed", upstream.error, 400));

  let requestBody: Buffer;
  try {
    requestBody = await readBody(req, deps.maxRequestBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return respondWithError(res, route.provider, new ApiError("request_too_large", `Request body exceeds ${deps.maxRequestBodyBytes} bytes.`, 413));
    }
    return; // the client went away while sending: nothing reached the provider, nothing to log
  }

  const pathAndQuery = (req.url ?? "/").slice(route.mountPrefix.length) || "/";
  const abort = new AbortController();
  let clientGone = false;
  res.on("close", () => {
    if (!res.writableFinished) {
      clientGone = true;
      abort.abort();
    }
  });

  const exchange: CapturedExchange = {
    id: requestId,
    organizationId,
    provider: route.provider,
    method: req.method ?? "GET",
    path: pathAndQuery,
    rawRequestHeaders: req.rawHeaders,
    requestHeaders: req.headers,
    requestBody,
    status: 0,
    responseHeaders: {},
    responseBody: Buffer.alloc(0),
    responseBodyTruncated: false,
    startMs,
    latencyMs: 0,
    timeToFirstByteMs: null,
    cancelled: false,
    errorReason: null,
  };
  const capture = new BoundedCapture(deps.maxLoggedBodyBytes);
  let logged: Promise<void> | undefined;

  try {
    const response = await upstreamRequest(upstream.baseUrl + pathAndQuery, {
      method: exchange.method as Dispatcher.HttpMethod,
      headers: forwardableRequestHeaders(req.headers),
      body: requestBody.length > 0 ? requestBody : undefined,
      signal: abort.signal,
      dispatcher: deps.dispatcher,
    });
    exchange.status = response.statusCode;
    exchange.responseHeaders = response.headers;
    res.writeHead(response.statusCode, { ...forwardableResponseHeaders(response.headers), "helicone-id": requestId });
    // A stream's headers go at once (the client learns the stream is open); a body of known
    // length usually arrives with its headers, and both then leave in one packet, not two.
    if (response.headers["content-length"] === undefined) res.flushHeaders();

    // The client holds a complete answer with the last byte of a body of known length, or with a
    // stream's final event (OpenAI's SDK stops reading at `[DONE]`): from there on, bytes are
    // held back until the log is durable.
    const completion = new CompletionWatch(response.headers["content-length"]);
    const heldBack: Buffer[] = [];
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      exchange.timeToFirstByteMs ??= performance.now() - startedAt;
      capture.push(chunk);
      if (heldBack.length > 0 || completion.completedBy(chunk)) heldBack.push(chunk);
      else if (!res.write(chunk)) await drainedOrClosed(res);
      if (clientGone) break;
    }
    if (clientGone) markCancelled(exchange);
    else {
      await logExchange();
      res.end(heldBack.length > 0 ? Buffer.concat(heldBack) : undefined);
    }
  } catch (error) {
    if (clientGone) markCancelled(exchange);
    else if (!res.headersSent) {
      const failure = describeUpstreamFailure(error);
      exchange.status = failure.status;
      exchange.errorReason = failure.message;
      respondWithError(res, route.provider, failure);
    } else {
      // The upstream broke mid-body: break the client's connection the same way, so its SDK
      // raises the connection error it would have raised talking to the provider directly.
      exchange.errorReason = `upstream connection failed mid-response: ${errorMessage(error)}`;
      res.destroy();
    }
  } finally {
    void logExchange();
  }

  /** Completes the exchange and hands it to the log writer, once. */
  function logExchange(): Promise<void> {
    if (!logged) {
      exchange.latencyMs = performance.now() - startedAt;
      exchange.responseBody = capture.toBuffer();
      exchange.responseBodyTruncated = capture.truncated;
      logged = deps.record(exchange);
    }
    return logged;
  }
}

// Stream events after which an SDK considers the answer complete: OpenAI's chat and completions
// end, Anthropic's message end, and the Responses API's final events.
const FINAL_STREAM_EVENTS = ["data: [DONE]", "data:[DONE]", "event: message_stop", "event: response.completed", "event: response.failed", "event: response.incomplete"].map((marker) => Buffer.from(marker));
const LONGEST_MARKER = Math.max(...FINAL_STREAM_EVENTS.map((marker) => marker.length));

/** Tells, chunk by chunk, whether the answer is now complete for the client. */
class CompletionWatch {
  private readonly declaredLength: number;
  private received = 0;
  /** the previous chunk's last bytes: a marker may straddle two chunks */
  private tail: Buffer = Buffer.alloc(0);

  constructor(contentLength: string | string[] | undefined) {
    this.declaredLength = typeof contentLength === "string" ? Number(contentLength) : Number.NaN;
  }

  completedBy(chunk: Buffer): boolean {
    this.received += chunk.length;
    if (!Number.isNaN(this.declaredLength)) return this.received >= this.declaredLength;
    // The chunk itself, and the seam with the previous one (small: no copy of the whole chunk).
    const seam = Buffer.concat([this.tail, chunk.subarray(0, LONGEST_MARKER - 1)]);
    const last = chunk.length >= LONGEST_MARKER - 1 ? chunk : Buffer.concat([this.tail, chunk]);
    this.tail = Buffer.from(last.subarray(-(LONGEST_MARKER - 1)));
    return FINAL_STREAM_EVENTS.some((marker) => chunk.includes(marker) || seam.includes(marker));
  }
}

function markCancelled(exchange: CapturedExchange): void {
  exchange.cancelled = true;
  exchange.errorReason = CANCELLED_REASON;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function respondWithError(res: ServerResponse, provider: ProviderName, error: ApiError): void {
  if (res.headersSent || res.destroyed) return;
  const body = providerErrorBody(provider, error);
  res.writeHead(error.status, { ...error.headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** An authentication step that failed without an ApiError (a bug) is answered as the key being unverifiable, never a crash. */
function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  console.error("[proxy] authentication failed unexpectedly", error);
  return unavailable("Could not verify the Helicone API key right now; retry shortly.");
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

function describeUpstreamFailure(error: unknown): ApiError {
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError
  ) {
    return new ApiError("upstream_timeout", `The provider did not answer in time (${error.code}).`, 504);
  }
  return new ApiError("upstream_unreachable", `Could not reach the provider: ${errorMessage(error)}`, 502);
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: string }).code ?? (error.cause as { code?: string } | undefined)?.code;
    return code ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
