import { providerOfModel } from "../../domain/cost";
import type { LoggedRequest } from "../../domain/logged-request";
import { isSuccessStatus } from "../../domain/request-status";
import { toLoggedRequest, type UnpricedInput } from "../writer/log-input";
import { readHeliconeAttributes, readResourceHelicone, type ResourceHelicone } from "./helicone-attributes";
import { readLangfuseObservation, type LangfuseObservation } from "./langfuse-attributes";
import { redactAttributes } from "./redact-attributes";
import { readSpanContent } from "./llm-content";
import { readLlmFields } from "./llm-fields";
import { estimateUsageFromContent } from "./estimated-usage";
import { timeOrderedId } from "./record-id";
import { isVirtualSpan, readTracewellFields } from "./tracewell-attributes";
import { SPAN_KIND_NAMES, STATUS_CODE_ERROR } from "../../contracts/otlp-export";
import {
  emptyAttributes,
  type Attributes,
  type DecodedExport,
  type OtlpScope,
  type OtlpSpan,
  type SpanRejection,
} from "./otlp-span";

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ALL_ZERO = /^0+$/;
const EARLIEST_ACCEPTED_MS = Date.UTC(2000, 0, 1);
const MAX_FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;
const MAX_REASON_LENGTH = 500;

/** What the spans of one resource and scope share. */
export interface SpanContext {
  organizationId: string;
  receivedAtMs: number;
  resource: Attributes;
  /** the resource's Helicone names, session and user, read once for all its spans */
  resourceHelicone: ResourceHelicone;
  /**
   * `"resource":{…},"scope":{…}`, spliced into each span's stored body. Serialized once: a
   * resource (service, SDK, host, process) often holds more than the span itself.
   */
  originJson: string;
}

export function spanContext(organizationId: string, receivedAtMs: number, resource: Attributes, scope: OtlpScope): SpanContext {
  return {
    organizationId,
    receivedAtMs,
    resource,
    resourceHelicone: readResourceHelicone(resource),
    originJson: `"resource":${JSON.stringify(redactAttributes(resource))},"scope":${JSON.stringify(scope)}`,
  };
}

export type SpanMapping = { ok: true; record: LoggedRequest } | { ok: false; reason: string };
export type SpanInputMapping = { ok: true; input: UnpricedInput } | { ok: false; reason: string };

/**
 * One span → one logged request (source "otel"), or the reason it cannot be one. The tree comes
 * from the span's own ids: trace id (32 hex), node id = span id, parent = parent span id. A span
 * (or its resource) that names a Helicone node id is placed by that path instead, as a proxied
 * call with that header would be; an invalid one is reported in traceError and the span ids are
 * used. Spans that are not LLM calls are nodes too: provider "otel", no tokens, cost 0. The
 * method is the node's kind: Langfuse's observation type ("GENERATION", "TOOL"…) when the span
 * has one, else the OTLP span kind; a Langfuse observation of level ERROR fails like an error span.
 * A span exported by Tracewell (lib/contracts/otlp-export.ts) is read back as the request it was:
 * its source, HTTP method, status, cost, latency and bodies as logged.
 */
export function spanToLoggedRequest(span: OtlpSpan, context: SpanContext): SpanMapping {
  const mapped = spanToLogInput(span, context);
  return mapped.ok ? { ok: true, record: toLoggedRequest(mapped.input) } : mapped;
}

/** As spanToLoggedRequest, with the price lookup (the costliest step) left to the log writer. */
export function spanToLogInput(span: OtlpSpan, context: SpanContext): SpanInputMapping {
  const invalid = validateSpan(span, context.receivedAtMs);
  if (invalid) return { ok: false, reason: invalid };

  const { attributes } = span;
  const keys = Object.keys(attributes);
  const startTime = new Date(span.startMs);
  const llm = readLlmFields(attributes);
  if (llm.invalid) return { ok: false, reason: llm.invalid };
  const tracewell = readTracewellFields(attributes, keys);
  if (tracewell.invalid) return { ok: false, reason: tracewell.invalid };
  const langfuse = readLangfuseObservation(attributes);
  // A span naming only a model (Langfuse generations, hand-made spans) is placed by the price table.
  const provider = llm.provider ?? (llm.model !== null ? providerOfModel(llm.model) : null) ?? "otel";
  const helicone = readHeliconeAttributes(context.resourceHelicone, attributes, keys);
  const parentSpanId = span.parentSpanId === "" || ALL_ZERO.test(span.parentSpanId) ? null : span.parentSpanId;
  const byHeliconePath = helicone.nodeId !== null;
  const failed = span.statusCode === STATUS_CODE_ERROR || langfuse.failed;
  const source = tracewell.source ?? "otel";
  const givenCostUsd = tracewell.costUsd ?? llm.givenCostUsd;
  const content = readSpanContent(attributes, span.events, keys);
  const estimated =
    tracewell.tokensEstimated === null && llm.usage === null && givenCostUsd === null ? estimateUsageFromContent(llm.model, content) : null;
  const usage = llm.usage ?? estimated;

  const unpriced: LoggedRequest = {
      id: timeOrderedId(context.receivedAtMs),
      organizationId: context.organizationId,
      source,
      provider,
      model: llm.model,
      method: methodOf(span, attributes, source, langfuse),
      path: span.name,
      status: statusOf(attributes, failed),
      errorReason: failed ? errorReason(span, langfuse) : null,
      cancelled: tracewell.cancelled,
      startTime,
      endTime: new Date(span.endMs),
      // Nanosecond inputs carry float noise below a microsecond: round it away.
      latencyMs: tracewell.latencyMs ?? Math.round((span.endMs - span.startMs) * 1000) / 1000,
      timeToFirstTokenMs: tracewell.timeToFirstTokenMs ?? llm.timeToFirstTokenMs ?? timeToFirstToken(span, langfuse),
      stream: llm.stream,
      promptTokens: usage?.promptTokens ?? null,
      completionTokens: usage?.completionTokens ?? null,
      cachedTokens: usage?.cachedTokens ?? null,
      totalTokens: usage?.totalTokens ?? null,
      tokensEstimated: tracewell.tokensEstimated ?? estimated !== null,
      // priced by the log writer (toLoggedRequest) from `price` below
      costUsd: null,
      costUnknown: true,
      traceId: byHeliconePath ? helicone.traceId : span.traceId,
      nodeId: byHeliconePath ? helicone.nodeId : span.spanId,
      parentNodeId: byHeliconePath ? helicone.parentNodeId : parentSpanId,
      traceError: helicone.traceError,
      sessionId: helicone.sessionId,
      sessionName: helicone.sessionName,
      userId: helicone.userId,
      properties: helicone.properties,
      // { input, attributes, events, span, resource, scope }, unless the span carries the body as logged
      requestBody:
        tracewell.requestBody !== undefined
          ? tracewell.requestBody
          : `${JSON.stringify({
              input: content.input,
              attributes: storedAttributes(attributes, keys, content.consumedKeys),
              events: span.events
                .filter((_, index) => !content.consumedEvents.has(index))
                .map((event) => ({ name: event.name, time: isoOrNull(event.timeMs), attributes: redactAttributes(event.attributes) })),
              span: { traceId: span.traceId, spanId: span.spanId, parentSpanId },
            }).slice(0, -1)},${context.originJson}}`,
      responseBody:
        tracewell.responseBody !== undefined ? tracewell.responseBody : content.output === undefined ? null : JSON.stringify({ output: content.output }),
      requestHeaders: {},
      responseHeaders: {},
  };
  return {
    ok: true,
    input: { unpriced, price: { provider, model: llm.model, usage, at: startTime }, givenCostUsd },
  };
}

export interface MappedExport {
  records: LoggedRequest[];
  rejected: SpanRejection[];
}

/** Every span of a decoded export, with the decoder's rejections first. */
export function exportToLoggedRequests(decoded: DecodedExport, organizationId: string, receivedAtMs: number): MappedExport {
  const { inputs, rejected } = exportToLogInputs(decoded, organizationId, receivedAtMs);
  return { records: inputs.map(toLoggedRequest), rejected };
}

/** As exportToLoggedRequests, with each span's price lookup left to the log writer. */
export function exportToLogInputs(
  decoded: DecodedExport,
  organizationId: string,
  receivedAtMs: number,
): { inputs: UnpricedInput[]; rejected: SpanRejection[] } {
  const inputs: UnpricedInput[] = [];
  const rejected = [...decoded.rejected];
  for (const { resource, scopeSpans } of decoded.resourceSpans) {
    for (const { scope, spans } of scopeSpans) {
      const context = spanContext(organizationId, receivedAtMs, resource, scope);
      for (const span of spans) {
        // Its descendants' node paths bring it back; stored, it would count as a request.
        if (isVirtualSpan(span)) continue;
        const mapped = spanToLogInput(span, context);
        if (mapped.ok) inputs.push(mapped.input);
        else rejected.push({ span: span.spanId || "(no span id)", reason: mapped.reason });
      }
    }
  }
  return { inputs, rejected };
}

function validateSpan(span: OtlpSpan, nowMs: number): string | null {
  if (!TRACE_ID.test(span.traceId) || ALL_ZERO.test(span.traceId)) {
    return "traceId must be 16 bytes, not all zero (32 hex digits in OTLP/JSON, not base64)";
  }
  if (!SPAN_ID.test(span.spanId) || ALL_ZERO.test(span.spanId)) {
    return "spanId must be 8 bytes, not all zero (16 hex digits in OTLP/JSON, not base64)";
  }
  if (span.parentSpanId !== "" && !SPAN_ID.test(span.parentSpanId)) return "parentSpanId must be empty or 8 bytes (16 hex digits)";
  // NaN: absent, or not an integer in any form the wire allows (a float string such as "1.5e18").
  if (!Number.isFinite(span.startMs)) return "startTimeUnixNano is required, as a whole number of nanoseconds since the epoch";
  if (!Number.isFinite(span.endMs)) return "endTimeUnixNano is required, as a whole number of nanoseconds since the epoch";
  if (span.endMs < span.startMs) return "endTimeUnixNano is before startTimeUnixNano";
  if (span.startMs < EARLIEST_ACCEPTED_MS) return "startTimeUnixNano is before the year 2000 (expected nanoseconds since the epoch)";
  if (span.endMs > nowMs + MAX_FUTURE_SKEW_MS) return "endTimeUnixNano is more than a day in the future";
  return null;
}

/**
 * The HTTP status the span reports (`http.response.status_code`, 0 for a call that got no
 * answer) when the span failed or the status is a success; else 200, or 500 for a failed span
 * without one. A span that did not fail keeps counting as a success whatever its code (OTel
 * leaves a server span's 404 unset), and a failed one counts as failed, 2xx included (a stream
 * that broke after its 200).
 */
function statusOf(attributes: Attributes, failed: boolean): number {
  const value = attributes["http.response.status_code"];
  const code = typeof value === "string" && /^\d{1,3}$/.test(value) ? Number(value) : value;
  const reported = typeof code === "number" && Number.isInteger(code) && code >= 0 && code <= 999 ? code : null;
  if (failed) return reported ?? 500;
  return reported !== null && isSuccessStatus(reported) ? reported : 200;
}

/**
 * The node's kind: Langfuse's observation type, else the span kind. A request first logged by the
 * proxy or a custom log (Tracewell's export says so) keeps its HTTP method, as those sources do.
 */
function methodOf(span: OtlpSpan, attributes: Attributes, source: LoggedRequest["source"], langfuse: LangfuseObservation): string {
  const httpMethod = attributes["http.request.method"];
  if (source !== "otel" && typeof httpMethod === "string" && httpMethod !== "") return httpMethod;
  return langfuse.kind ?? SPAN_KIND_NAMES[span.kind] ?? SPAN_KIND_NAMES[0];
}

/**
 * Langfuse's status message (its SDKs put the reason there), else the span's, else the recorded
 * exception's, else a plain statement of the status.
 */
function errorReason(span: OtlpSpan, langfuse: LangfuseObservation): string {
  const exception = span.events.find((event) => event.name === "exception")?.attributes["exception.message"];
  const reason =
    langfuse.statusMessage ||
    span.statusMessage ||
    (typeof exception === "string" && exception) ||
    (span.statusCode === STATUS_CODE_ERROR ? "span status ERROR" : "observation level ERROR");
  return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}…` : reason;
}

/** From Langfuse's completion start time, when it falls within the span. */
function timeToFirstToken(span: OtlpSpan, langfuse: LangfuseObservation): number | null {
  const at = langfuse.completionStartMs;
  return at === null || at < span.startMs || at > span.endMs ? null : Math.round((at - span.startMs) * 1000) / 1000;
}

/** The attributes as stored: without the keys taken out as content, credentials redacted. */
function storedAttributes(attributes: Attributes, keys: string[], consumed: ReadonlySet<string>): Attributes {
  if (consumed.size === 0) return redactAttributes(attributes, keys);
  const kept = emptyAttributes();
  const keptKeys: string[] = [];
  for (const key of keys) {
    if (consumed.has(key)) continue;
    kept[key] = attributes[key]!;
    keptKeys.push(key);
  }
  return redactAttributes(kept, keptKeys);
}

// Date's range (±8.64e15 ms); an event time past it would make toISOString throw.
function isoOrNull(ms: number): string | null {
  return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : null;
}
