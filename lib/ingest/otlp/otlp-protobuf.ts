/**
 * The binary OTLP encoding, through static protobufjs code generated from the official
 * opentelemetry-proto files vendored in ./proto (`npm run proto:generate` writes ./generated).
 * Decoded messages follow proto3: an absent scalar reads as its zero value, an absent message or
 * oneof member as null, and 64-bit integers are Longs, a form the shared AnyValue and time readers take.
 */
import { ApiError } from "../../shared/api-error";
import { keyValuesToAttributes, unixNanosToMs } from "./any-value";
import { google, opentelemetry } from "./generated/otlp-trace.js";
import type { DecodedExport, OtlpEvent, OtlpSpan } from "./otlp-span";
import type { RpcStatus } from "./otlp-status";

const collector = opentelemetry.proto.collector.trace.v1;
type ProtoSpan = opentelemetry.proto.trace.v1.Span;

/** Throws ApiError 400, with protobufjs's reason, when the bytes are not an ExportTraceServiceRequest. */
export function decodeProtobufExport(body: Uint8Array): DecodedExport {
  let request: opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
  try {
    request = collector.ExportTraceServiceRequest.decode(body);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ApiError("invalid_protobuf", `Body is not an OTLP ExportTraceServiceRequest in protobuf: ${detail}`, 400);
  }
  return {
    rejected: [],
    resourceSpans: request.resourceSpans.map((resourceSpans) => ({
      resource: keyValuesToAttributes(resourceSpans.resource?.attributes),
      scopeSpans: resourceSpans.scopeSpans.map((scopeSpans) => ({
        scope: { name: scopeSpans.scope?.name ?? "", version: scopeSpans.scope?.version ?? "" },
        spans: scopeSpans.spans.map(toSpan),
      })),
    })),
  };
}

function toSpan(span: ProtoSpan): OtlpSpan {
  return {
    traceId: hex(span.traceId),
    spanId: hex(span.spanId),
    parentSpanId: hex(span.parentSpanId),
    name: span.name,
    kind: span.kind,
    startMs: timeMs(span.startTimeUnixNano),
    endMs: timeMs(span.endTimeUnixNano),
    attributes: keyValuesToAttributes(span.attributes),
    events: span.events.map((event): OtlpEvent => ({ name: event.name, timeMs: timeMs(event.timeUnixNano), attributes: keyValuesToAttributes(event.attributes) })),
    statusCode: span.status?.code ?? 0,
    statusMessage: span.status?.message ?? "",
  };
}

/** A zero time is how proto3 carries an unset one: NaN, as for a time missing from OTLP/JSON. */
function timeMs(nanos: ProtoSpan["startTimeUnixNano"]): number {
  const unset = typeof nanos === "number" ? nanos === 0 : nanos.isZero();
  return unset ? Number.NaN : unixNanosToMs(nanos);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** ExportTraceServiceResponse; partial_success only when spans were rejected (the spec forbids it otherwise). */
export function encodeProtobufResponse(partialSuccess: { rejectedSpans: number; errorMessage: string } | null): Uint8Array {
  return collector.ExportTraceServiceResponse.encode(partialSuccess ? { partialSuccess } : {}).finish();
}

/**
 * The google.rpc.Status every OTLP/HTTP error body must be (and OTLP/gRPC's grpc-status-details-bin),
 * with an ErrorInfo detail naming `reason`, and a RetryInfo detail when a retry delay is given: over
 * gRPC that is what makes RESOURCE_EXHAUSTED retryable (OTLP/HTTP says it with Retry-After instead).
 */
export function encodeProtobufStatus(status: RpcStatus, retryDelaySeconds: number | null = null): Uint8Array {
  const details = [{ type_url: ERROR_INFO_TYPE_URL, value: google.rpc.ErrorInfo.encode({ reason: status.reason, domain: status.domain }).finish() }];
  if (retryDelaySeconds !== null) {
    const retryDelay = { seconds: Math.floor(retryDelaySeconds), nanos: Math.round((retryDelaySeconds % 1) * 1e9) };
    details.push({ type_url: RETRY_INFO_TYPE_URL, value: google.rpc.RetryInfo.encode({ retryDelay }).finish() });
  }
  return google.rpc.Status.encode({ code: status.code, message: status.message, details }).finish();
}

export const ERROR_INFO_TYPE_URL = "type.googleapis.com/google.rpc.ErrorInfo";
export const RETRY_INFO_TYPE_URL = "type.googleapis.com/google.rpc.RetryInfo";
