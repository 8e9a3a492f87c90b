/**
 * The binary OTLP encoding. Answers are encoded through the protobufjs module
 * @opentelemetry/otlp-transformer 0.216.0 generates from the official opentelemetry-proto files
 * (pinned: 0.217 stopped shipping it; it is typed only as a protobufjs Root, so the messages used
 * are declared below). Requests are decoded by protobuf-wire.ts, to the same result.
 */
import generated from "@opentelemetry/otlp-transformer/build/src/generated/root.js";
import type { DecodedExport } from "./otlp-span";
import { decodeTraceExport } from "./protobuf-wire";

interface MessageType {
  encode(message: object): { finish(): Uint8Array };
}

const collector = (
  generated as unknown as {
    opentelemetry: {
      proto: {
        collector: {
          trace: {
            v1: {
              ExportTraceServiceResponse: MessageType;
              ExportTracePartialSuccess: MessageType;
            };
          };
        };
      };
    };
  }
).opentelemetry.proto.collector.trace.v1;

/**
 * Throws (the error protobufjs would throw) when the bytes are not an ExportTraceServiceRequest.
 * Decoded by protobuf-wire.ts, which reads as the generated decoder does, without its objects.
 */
export function decodeProtobufExport(body: Uint8Array): DecodedExport {
  return { rejected: [], resourceSpans: decodeTraceExport(body) };
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
 * encoder, and no dependency on protobufjs, which we only have transitively.
 */
export function encodeProtobufStatus(message: string): Uint8Array {
  return collector.ExportTracePartialSuccess.encode({ errorMessage: message }).finish();
}
