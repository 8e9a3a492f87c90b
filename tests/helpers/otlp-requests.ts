// Raw OTLP trace exports for tests and benches that need bytes the SDK would never send (bad ids,
// malformed bodies) or many spans fast. Protobuf goes through the same generated code the server
// decodes with; JSON follows the OTLP/JSON mapping (hex ids, decimal-string nanoseconds).
import { opentelemetry } from "../../lib/ingest/otlp/generated/otlp-trace.js";

type Scalar = string | number | boolean;
export type TestAttributes = Record<string, Scalar | Scalar[]>;

export interface TestSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** SpanKind number; 1 (internal) when omitted */
  kind?: number;
  startMs: number;
  endMs: number;
  attributes?: TestAttributes;
  events?: Array<{ name: string; timeMs: number; attributes?: TestAttributes }>;
  status?: { code: number; message?: string };
}

const v1 = opentelemetry.proto.collector.trace.v1;

export function randomHexId(bytes: 8 | 16): string {
  let hex = "";
  for (let i = 0; i < bytes; i++) hex += Math.floor(Math.random() * 256).toString(16).padStart(2, "0");
  return hex;
}

/** Epoch ms (fractions kept to the nanosecond) as OTLP's decimal-string nanoseconds. */
export function msToNanos(ms: number): string {
  const whole = Math.floor(ms);
  return (BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6))).toString();
}

function anyValue(value: Scalar | Scalar[]): object {
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  return Number.isInteger(value) ? { intValue: value } : { doubleValue: value };
}

function keyValues(attributes: TestAttributes = {}): object[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
}

/** The ExportTraceServiceRequest as OTLP/JSON (an object: stringify it to send). */
export function jsonExportRequest(spans: TestSpan[], resource: TestAttributes = { "service.name": "test" }) {
  return {
    resourceSpans: [
      {
        resource: { attributes: keyValues(resource) },
        scopeSpans: [
          {
            scope: { name: "tests", version: "1.0.0" },
            spans: spans.map((span) => ({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId ?? "",
              name: span.name,
              kind: span.kind ?? 1,
              startTimeUnixNano: msToNanos(span.startMs),
              endTimeUnixNano: msToNanos(span.endMs),
              attributes: keyValues(span.attributes),
              events: (span.events ?? []).map((event) => ({
                name: event.name,
                timeUnixNano: msToNanos(event.timeMs),
                attributes: keyValues(event.attributes),
              })),
              status: span.status ?? { code: 0 },
            })),
          },
        ],
      },
    ],
  };
}

/** The same request in binary protobuf; ids that are not valid hex are sent as their UTF-8 bytes. */
export function protobufExportRequest(spans: TestSpan[], resource?: TestAttributes): Uint8Array {
  const request = jsonExportRequest(spans, resource);
  const bytes = (id: string) => Buffer.from(id, /^([0-9a-f]{2})*$/i.test(id) ? "hex" : "utf8");
  for (const scopeSpans of request.resourceSpans[0]!.scopeSpans) {
    scopeSpans.spans = scopeSpans.spans.map((span) => ({
      ...span,
      traceId: bytes(span.traceId),
      spanId: bytes(span.spanId),
      parentSpanId: bytes(span.parentSpanId),
    })) as never;
  }
  // The writer takes decimal-string int64s as they are.
  return v1.ExportTraceServiceRequest.encode(request as never).finish();
}

/** An ExportTraceServiceResponse body, in its proto3 JSON form. */
export function decodeProtobufExportResponse(body: Uint8Array): { partialSuccess?: { rejectedSpans?: string; errorMessage?: string } } {
  return v1.ExportTraceServiceResponse.decode(body).toJSON();
}

/**
 * The message of an OTLP/HTTP protobuf error body (a google.rpc.Status). Its fields 1 (code) and
 * 2 (message) line up with ExportTracePartialSuccess's rejected_spans and error_message, so that
 * generated decoder reads it.
 */
export function decodeProtobufStatusMessage(body: Uint8Array): string {
  return v1.ExportTracePartialSuccess.decode(body).errorMessage ?? "";
}
