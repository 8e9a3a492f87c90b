/**
 * GET /api/v1/traces/{traceId}/export?format=otlp writes an OTLP/JSON ExportTraceServiceRequest
 * that POST /v1/traces reads back into the same requests (lib/read-api/trace-otlp-export.ts
 * writes it, lib/ingest/otlp/span-to-record.ts reads it). Both sides take their attribute names
 * from here, so the export stays the ingest mapping's exact inverse.
 *
 * Where a convention has a name the export uses it: the GenAI semantic conventions for provider,
 * model, tokens and the conversation, `user.id`, `http.request.method` and
 * `http.response.status_code`, Helicone's names for the node path, session name and properties,
 * OpenInference's `llm.is_streaming`. What no convention names (a logged request as Tracewell
 * keeps it) goes by the names below.
 *
 * Pure constants: safe to import from every layer.
 */
export const TRACEWELL_ATTRIBUTES = {
  /** "proxy" | "custom" | "otel": how the request was logged first */
  source: "tracewell.source",
  /** USD ≥ 0, stored as given instead of priced from the table */
  costUsd: "tracewell.cost_usd",
  /** the request's latency in ms (it can differ from end − start by a fraction of a millisecond) */
  latencyMs: "tracewell.latency_ms",
  timeToFirstTokenMs: "tracewell.time_to_first_token_ms",
  /** true: the client gave up on the call before its answer ended */
  cancelled: "tracewell.cancelled",
  /** whether the token counts were estimated; given at all, no tokens are counted from the content */
  tokensEstimated: "tracewell.tokens_estimated",
  /** the request body as logged, stored as it is; an empty value: no body */
  requestBody: "tracewell.request.body",
  /** the response body as logged, stored as it is; an empty value: no body */
  responseBody: "tracewell.response.body",
  /** true: a node no request was logged for, exported for the tree's shape; ingest stores nothing of it */
  virtual: "tracewell.virtual",
} as const;

/** Every name of TRACEWELL_ATTRIBUTES starts with this. */
export const TRACEWELL_ATTRIBUTE_PREFIX = "tracewell.";

/** OTLP's SpanKind enum, by value: the kind names ingest stores as an OTLP span's method. */
export const SPAN_KIND_NAMES = ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"] as const;

/** OTLP's StatusCode for a failed span (0 is unset, 1 ok). */
export const STATUS_CODE_ERROR = 2;

/** The formats of GET /api/v1/traces/{traceId}/export. */
export const TRACE_EXPORT_FORMATS = ["otlp", "json", "markdown"] as const;
export type TraceExportFormat = (typeof TRACE_EXPORT_FORMATS)[number];
