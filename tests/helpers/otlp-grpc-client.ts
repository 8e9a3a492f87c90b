// A bare grpc-js client of OTLP's TraceService/Export, for what the OpenTelemetry exporter never
// shows: the response's partial_success, the status details (ErrorInfo, RetryInfo), and bytes it
// would never send. The status details are read with a schema written here from googleapis'
// definitions, independent of the server's generated code.
import { credentials, makeGenericClientConstructor, Metadata, type ServiceError } from "@grpc/grpc-js";
import protobuf from "protobufjs";
import { decodeProtobufExportResponse } from "./otlp-requests";

const rpc = protobuf.parse(`syntax = "proto3";
  message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
  message Any { string type_url = 1; bytes value = 2; }
  message ErrorInfo { string reason = 1; string domain = 2; }
  message Duration { int64 seconds = 1; int32 nanos = 2; }
  message RetryInfo { Duration retry_delay = 1; }`).root;
const Status = rpc.lookupType("Status");
const ErrorInfo = rpc.lookupType("ErrorInfo");
const RetryInfo = rpc.lookupType("RetryInfo");

const passBytes = (bytes: Buffer) => bytes;
const TraceService = makeGenericClientConstructor(
  {
    Export: {
      path: "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
      requestStream: false,
      responseStream: false,
      requestSerialize: passBytes,
      requestDeserialize: passBytes,
      responseSerialize: passBytes,
      responseDeserialize: passBytes,
    },
  },
  "TraceService",
);
// grpc-js's numbering of its compression algorithms (compressionAlgorithms.gzip)
const GZIP = 2;

export interface GrpcExportAnswer {
  /** the gRPC status code: 0 OK */
  code: number;
  details: string;
  /** the ExportTraceServiceResponse of a call that succeeded */
  response: ReturnType<typeof decodeProtobufExportResponse> | null;
  /** ErrorInfo.reason in grpc-status-details-bin: the error code the HTTP endpoints answer */
  reason: string | null;
  /** RetryInfo.retry_delay in grpc-status-details-bin, in seconds; null when absent */
  retryDelaySeconds: number | null;
}

export function otlpGrpcClient(address: string, options: { gzip?: boolean } = {}) {
  const client = new TraceService(address, credentials.createInsecure(), options.gzip ? { "grpc.default_compression_algorithm": GZIP } : {});
  return {
    export(request: Uint8Array, headers: Record<string, string> = {}): Promise<GrpcExportAnswer> {
      const metadata = new Metadata();
      for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
      return new Promise((resolve) => {
        client.Export(Buffer.from(request), metadata, (error: ServiceError | null, response?: Buffer) => {
          if (!error) {
            resolve({ code: 0, details: "", response: decodeProtobufExportResponse(response!), reason: null, retryDelaySeconds: null });
            return;
          }
          resolve({ code: error.code, details: error.details, response: null, ...statusDetails(error.metadata) });
        });
      });
    },
    close: () => client.close(),
  };
}

function statusDetails(metadata: Metadata): Pick<GrpcExportAnswer, "reason" | "retryDelaySeconds"> {
  const [bytes] = metadata.get("grpc-status-details-bin");
  if (!(bytes instanceof Buffer)) return { reason: null, retryDelaySeconds: null };
  const status = Status.toObject(Status.decode(bytes), { longs: Number }) as { details?: Array<{ typeUrl: string; value: Uint8Array }> };
  let reason: string | null = null;
  let retryDelaySeconds: number | null = null;
  for (const any of status.details ?? []) {
    if (any.typeUrl === "type.googleapis.com/google.rpc.ErrorInfo") reason = (ErrorInfo.decode(any.value) as unknown as { reason: string }).reason;
    if (any.typeUrl === "type.googleapis.com/google.rpc.RetryInfo") {
      const delay = RetryInfo.toObject(RetryInfo.decode(any.value), { longs: Number, defaults: true }) as { retryDelay?: { seconds: number; nanos: number } };
      retryDelaySeconds = (delay.retryDelay?.seconds ?? 0) + (delay.retryDelay?.nanos ?? 0) / 1e9;
    }
  }
  return { reason, retryDelaySeconds };
}
