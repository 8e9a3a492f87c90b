import { brotliDecompressSync, constants as zlib, gunzipSync, inflateSync } from "node:zlib";
import type { LoggedRequest } from "../../domain/logged-request";
import { priceUsage } from "../../domain/cost";
import { rawHeaderPairs, readHeliconeContext } from "../helicone-headers";
import { redactHeaders } from "../headers";
import { readProviderExchange } from "../providers";
import { heliconeFields, usageFields } from "../record-fields";
import { errorReasonFromBody } from "../error-reason";
import type { CapturedExchange } from "./captured-exchange";

/** Normalizes what the proxy captured into the one record every ingest path produces. */
export function exchangeToLoggedRequest(exchange: CapturedExchange): LoggedRequest {
  const helicone = readHeliconeContext(rawHeaderPairs(exchange.rawRequestHeaders));
  const requestBody = exchange.requestBody.toString("utf8");
  const responseBody = decodeBody(exchange.responseBody, exchange.responseHeaders["content-encoding"]);
  const contentType = firstHeader(exchange.responseHeaders["content-type"]);
  const read = readProviderExchange(exchange.provider, {
    path: exchange.path,
    requestBody,
    responseBody,
    responseContentType: contentType,
  });
  const price = priceUsage({ provider: exchange.provider, model: read.model, usage: read.usage });
  const isSuccess = exchange.status >= 200 && exchange.status < 300;

  return {
    id: exchange.id,
    organizationId: exchange.organizationId,
    source: "proxy",
    provider: exchange.provider,
    model: read.model,
    method: exchange.method,
    path: exchange.path.split("?")[0]!,
    status: exchange.status,
    errorReason: exchange.errorReason ?? (isSuccess ? null : errorReasonFromBody(responseBody, exchange.status)),
    cancelled: exchange.cancelled,
    startTime: new Date(exchange.startMs),
    endTime: new Date(exchange.startMs + exchange.latencyMs),
    latencyMs: round3(exchange.latencyMs),
    timeToFirstTokenMs: read.stream && exchange.timeToFirstByteMs !== null ? round3(exchange.timeToFirstByteMs) : null,
    stream: read.stream,
    ...usageFields(read.usage, price),
    ...heliconeFields(helicone),
    requestBody: requestBody || null,
    responseBody: read.storedResponseBody ?? (responseBody || null),
    requestHeaders: redactHeaders(exchange.requestHeaders),
    responseHeaders: redactHeaders(exchange.responseHeaders),
  };
}

function firstHeader(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** The client got the bytes as the provider sent them; the log wants text. A cut-off body decodes as far as it goes. */
function decodeBody(body: Buffer, encoding: string | string[] | undefined): string {
  const name = firstHeader(encoding)?.trim().toLowerCase();
  if (!name || name === "identity" || body.length === 0) return body.toString("utf8");
  try {
    const flush = { finishFlush: zlib.Z_SYNC_FLUSH };
    if (name === "gzip" || name === "x-gzip") return gunzipSync(body, flush).toString("utf8");
    if (name === "deflate") return inflateSync(body, flush).toString("utf8");
    if (name === "br") return brotliDecompressSync(body, { finishFlush: zlib.BROTLI_OPERATION_FLUSH }).toString("utf8");
  } catch {
    return `[${body.length} bytes of undecodable ${name} content]`;
  }
  return `[${body.length} bytes of ${name} content]`;
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
