import { toErrorResponse } from "../../http/error-response";

/** The google.rpc.Code values the OTLP paths answer with (gRPC's status codes). */
export const GrpcCode = {
  INVALID_ARGUMENT: 3,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** A google.rpc.Status whose ErrorInfo detail carries, as `reason`, the error code every other endpoint answers. */
export interface RpcStatus {
  code: number;
  message: string;
  reason: string;
  domain: string;
}

/** An OTLP export's failure, as each transport needs it. */
export interface OtlpFailure {
  /** OTLP/HTTP: the status line and headers (Retry-After), with `status` as the body */
  httpStatus: number;
  headers: Record<string, string>;
  /** OTLP/HTTP's error body; OTLP/gRPC's status code, message and grpc-status-details-bin */
  status: RpcStatus;
  /** when the exporter may try again (Retry-After); null: not retryable, or no hint */
  retryDelaySeconds: number | null;
}

const ERROR_DOMAIN = "tracewell";

/**
 * Anything an OTLP export threw, as both transports answer it: the ApiError's status (unknown
 * errors a bare 500, a database that cannot answer 503: lib/http's one mapper) and the gRPC code
 * that means the same to an exporter.
 */
export function otlpFailureOf(error: unknown): OtlpFailure {
  const { status, headers, body } = toErrorResponse(error);
  const retryAfter = Number(headers["retry-after"]);
  return {
    httpStatus: status,
    headers,
    status: { code: grpcCodeOf(status), message: body.error.message, reason: body.error.code, domain: ERROR_DOMAIN },
    retryDelaySeconds: headers["retry-after"] !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : null,
  };
}

/**
 * The gRPC code an OTLP exporter reads the same way as it reads the HTTP status (OTLP spec,
 * "OTLP/gRPC Response"): retryable failures are UNAVAILABLE; bad data is INVALID_ARGUMENT, never
 * retried; RESOURCE_EXHAUSTED is retried only with a RetryInfo detail, which the gRPC transport
 * adds for a rate limit (429, Retry-After) and leaves out for an export over the size limit (413),
 * where a retry could never succeed (grpc-js answers an oversized message with that code itself).
 */
export function grpcCodeOf(httpStatus: number): number {
  if (httpStatus === 401) return GrpcCode.UNAUTHENTICATED;
  if (httpStatus === 403) return GrpcCode.PERMISSION_DENIED;
  if (httpStatus === 404 || httpStatus === 405) return GrpcCode.UNIMPLEMENTED;
  if (httpStatus === 413 || httpStatus === 429) return GrpcCode.RESOURCE_EXHAUSTED;
  if (httpStatus === 502 || httpStatus === 503 || httpStatus === 504) return GrpcCode.UNAVAILABLE;
  if (httpStatus >= 500) return GrpcCode.INTERNAL;
  return GrpcCode.INVALID_ARGUMENT;
}
