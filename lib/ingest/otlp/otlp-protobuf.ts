/**
 * The binary OTLP encoding, through the protobufjs module @opentelemetry/otlp-transformer 0.216.0
 * generates from the official opentelemetry-proto files (pinned: 0.217 stopped shipping it). The
 * module is typed only as a protobufjs Root, so the few message shapes read here are declared below.
 */
import generated from "@opentelemetry/otlp-transformer/build/src/generated/root.js";
import { keyValuesToAttributes, unixNanosToMs } from "./any-value";
import type { DecodedExport, OtlpEvent, OtlpSpan } from "./otlp-span";

interface MessageType<T> {
  decode(bytes: Uint8Array): T;
  encode(message: object): { finish(): Uint8Array };
}

// protobufjs leaves absent fields null (the module is generated with --null-defaults).
interface ProtoSpan {
  traceId: Uint8Array | null;
  spanId: Uint8Array | null;
  parentSpanId: Uint8Array | null;
  name: string | null;
  kind: number | null;
  startTimeUnixNano: unknown;
  endTimeUnixNano: unknown;
  attributes: unknown[];
  events: Array<{ name: string | null; timeUnixNano: unknown; attributes: unknown[] }>;
  status: { code: number | null; message: string | null } | null;
}

interface ProtoExportRequest {
  resourceSpans: Array<{
    resource: { attributes: unknown[] } | null;
    scopeSpans: Array<{ scope: { name: string | null; version: string | null } | null; spans: ProtoSpan[] }>;
  }>;
}

const collector = (
  generated as unknown as {
    opentelemetry: {
      proto: {
        collector: {
          trace: {
            v1: {
              ExportTraceServiceRequest: MessageType<ProtoExportRequest>;
              ExportTraceServiceResponse: MessageType<object>;
              ExportTracePartialSuccess: MessageType<object>;
            };
          };
        };
      };
    };
  }
).opentelemetry.proto.collector.trace.v1;

/** Throws (protobufjs's own error) when the bytes are not an ExportTraceServiceRequest. */
export function decodeProtobufExport(body: Uint8Array): DecodedExport {
  const request = collector.ExportTraceServiceRequest.decode(body);
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
    name: span.name ?? "",
    kind: span.kind ?? 0,
    startMs: unixNanosToMs(span.startTimeUnixNano),
    endMs: unixNanosToMs(span.endTimeUnixNano),
    attributes: keyValuesToAttributes(span.attributes),
    events: span.events.map(
      (event): OtlpEvent => ({ name: event.name ?? "", timeMs: unixNanosToMs(event.timeUnixNano), attributes: keyValuesToAttributes(event.attributes) }),
    ),
    statusCode: span.status?.code ?? 0,
    statusMessage: span.status?.message ?? "",
  };
}

function hex(bytes: Uint8Array | null): string {
  return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex") : "";
}

/** ExportTraceServiceResponse; partial_success only when spans were rejected (the spec forbids it otherwise). */
export function encodeProtobufResponse(partialSuccess: { rejectedSpans: number; errorMessage: string } | null): Uint8Array {
  return collector.ExportTraceServiceResponse.encode(partialSuccess ? { partialSuccess } : {}).finish();
}

/**
 * The google.rpc.Status every OTLP/HTTP error body must be. Its definition (status.proto) is not
 * among the generated OTLP messages, but `Status { int32 code = 1; string message = 2; }` with the
 * code omitted (the OTLP spec lets servers omit it) is byte for byte an ExportTracePartialSuccess
 * carrying only `string error_message = 2`, so that generated encoder writes it: no hand-written
 * wire format, and no dependency on protobufjs, which we only have transitively.
 */
export function encodeProtobufStatus(message: string): Uint8Array {
  return collector.ExportTracePartialSuccess.encode({ errorMessage: message }).finish();
}
