/**
 * OTLP over gRPC: `opentelemetry.proto.collector.trace.v1.TraceService/Export`, the transport most
 * OpenTelemetry SDKs and the Collector default to (port 4317). grpc-js speaks HTTP/2 and gRPC's
 * framing, inflates `grpc-encoding: gzip` and refuses a message over the size limit
 * (RESOURCE_EXHAUSTED, counted after decompression too); the export itself takes the same path as
 * OTLP/HTTP (ingest-otlp-export.ts), and its failures the same codes (otlp-status.ts).
 */
import { Metadata, Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall, type ServiceDefinition } from "@grpc/grpc-js";
import { apiKeyFrom } from "../../auth/api-keys";
import { ingestOtlpExport, type OtlpDependencies, type OtlpPartialSuccess } from "./ingest-otlp-export";
import { decodeProtobufExport, encodeProtobufResponse, encodeProtobufStatus } from "./otlp-protobuf";
import { otlpFailureOf } from "./otlp-status";

export const TRACE_EXPORT_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * The service as raw bytes both ways: the request is decoded inside the ingest path, after the key
 * is checked, so bytes that are no ExportTraceServiceRequest are INVALID_ARGUMENT with protobufjs's
 * reason, not the INTERNAL grpc-js answers when a deserializer throws.
 */
const traceService: ServiceDefinition<{ Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => void }> = {
  Export: {
    path: TRACE_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: (bytes: Buffer) => bytes,
    requestDeserialize: (bytes: Buffer) => bytes,
    responseSerialize: (bytes: Buffer) => bytes,
    responseDeserialize: (bytes: Buffer) => bytes,
  },
};

export interface OtlpGrpcServer {
  /** the port bound (the one asked for, or the one picked for 0 in tests) */
  port: number;
  /** Stops taking calls and waits for those in progress, at most `graceMs`, then cuts the rest. */
  close(graceMs: number): Promise<void>;
}

/** Serves TraceService/Export on host:port; rejects (grpc-js's error) when the port cannot be bound. */
export async function startOtlpGrpcServer(host: string, port: number, deps: OtlpDependencies): Promise<OtlpGrpcServer> {
  const server = new Server({ "grpc.max_receive_message_length": deps.maxBodyBytes });
  server.addService(traceService, { Export: exportTraces(deps) });
  const address = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  const boundPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { port: boundPort, close: (graceMs) => shutDown(server, graceMs) };
}

// rpc Export(ExportTraceServiceRequest) returns (ExportTraceServiceResponse)
function exportTraces(deps: OtlpDependencies) {
  return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
    const apiKey = apiKeyFrom(textValues(call.metadata, "authorization"), textValues(call.metadata, "helicone-auth"));
    ingestOtlpExport({ apiKey, read: async () => decodeProtobufExport(call.request) }, deps).then(
      (partialSuccess: OtlpPartialSuccess | null) => callback(null, asBuffer(encodeProtobufResponse(partialSuccess))),
      (error: unknown) => callback(grpcFailure(error)),
    );
  };
}

/**
 * The failure as gRPC status: the code and message, and in `grpc-status-details-bin` the
 * google.rpc.Status with its ErrorInfo (our error code) and, for a condition that passes
 * (rate limit, backlog, storage away), a RetryInfo: over gRPC that is what lets an exporter
 * retry RESOURCE_EXHAUSTED, and tells it how long to wait before retrying UNAVAILABLE.
 */
function grpcFailure(error: unknown): { code: number; details: string; metadata: Metadata } {
  const { status, retryDelaySeconds } = otlpFailureOf(error);
  const metadata = new Metadata();
  metadata.set("grpc-status-details-bin", asBuffer(encodeProtobufStatus(status, retryDelaySeconds)));
  return { code: status.code, details: status.message, metadata };
}

function textValues(metadata: Metadata, key: string): string[] {
  return metadata.get(key).filter((value): value is string => typeof value === "string");
}

function shutDown(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
