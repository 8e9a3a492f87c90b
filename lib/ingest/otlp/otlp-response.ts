import type { ServerResponse } from "node:http";
import { ApiError } from "../../shared/api-error";
import { toErrorResponse } from "../../http/error-response";
import { encodeProtobufResponse, encodeProtobufStatus, ERROR_INFO_TYPE_URL } from "./otlp-protobuf";
import type { SpanRejection } from "./otlp-span";

/**
 * OTLP/HTTP answers in the request's own encoding: an ExportTraceServiceResponse on success
 * (with partial_success when spans were rejected), a google.rpc.Status on every 4xx/5xx.
 */
export type OtlpFormat = "protobuf" | "json";

const CONTENT_TYPE: Record<OtlpFormat, string> = { protobuf: "application/x-protobuf", json: "application/json" };
const REASONS_LISTED = 5;

/** The request's encoding from its Content-Type (parameters such as charset ignored), else 415. */
export function otlpFormatOf(contentType: string | undefined): OtlpFormat {
  const mediaType = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType === CONTENT_TYPE.protobuf) return "protobuf";
  if (mediaType === CONTENT_TYPE.json) return "json";
  throw new ApiError(
    "unsupported_media_type",
    `Content-Type must be application/x-protobuf or application/json, not "${mediaType || "(none)"}".`,
    415,
  );
}

export function sendExportSuccess(res: ServerResponse, format: OtlpFormat, rejected: readonly SpanRejection[], spanCount: number): void {
  const partialSuccess = rejected.length > 0 ? { rejectedSpans: rejected.length, errorMessage: describeRejections(rejected, spanCount) } : null;
  const body =
    format === "protobuf"
      ? encodeProtobufResponse(partialSuccess)
      : // proto3 JSON mapping: int64 as a decimal string
        JSON.stringify(partialSuccess ? { partialSuccess: { ...partialSuccess, rejectedSpans: String(partialSuccess.rejectedSpans) } } : {});
  send(res, 200, format, body);
}

/**
 * Any thrown error as an OTLP failure: ApiError keeps its status and headers; the rest is a bare
 * 500. The body is a google.rpc.Status whose ErrorInfo detail carries, as `reason`, the same error
 * code every other endpoint answers for that condition.
 */
export function sendExportFailure(res: ServerResponse, format: OtlpFormat, error: unknown): void {
  const { status, headers, body } = toErrorResponse(error);
  const rpcStatus = { code: grpcCodeOf(status), message: body.error.message, reason: body.error.code, domain: ERROR_DOMAIN };
  send(
    res,
    status,
    format,
    format === "protobuf"
      ? encodeProtobufStatus(rpcStatus)
      : JSON.stringify({
          code: rpcStatus.code,
          message: rpcStatus.message,
          details: [{ "@type": ERROR_INFO_TYPE_URL, reason: rpcStatus.reason, domain: rpcStatus.domain }],
        }),
    headers,
  );
}

const ERROR_DOMAIN = "tracewell";

/** The google.rpc.Code that best names an HTTP status (the OTLP spec maps them the other way). */
function grpcCodeOf(status: number): number {
  if (status === 401) return 16; // UNAUTHENTICATED
  if (status === 403) return 7; // PERMISSION_DENIED
  if (status === 404 || status === 405) return 12; // UNIMPLEMENTED
  if (status === 429) return 8; // RESOURCE_EXHAUSTED
  if (status === 503) return 14; // UNAVAILABLE
  if (status >= 500) return 13; // INTERNAL
  return 3; // INVALID_ARGUMENT
}

export function describeRejections(rejected: readonly SpanRejection[], spanCount: number): string {
  const listed = rejected.slice(0, REASONS_LISTED).map(({ span, reason }) => `span ${span}: ${reason}`);
  const more = rejected.length > REASONS_LISTED ? `; and ${rejected.length - REASONS_LISTED} more` : "";
  return `${rejected.length} of ${spanCount} spans rejected: ${listed.join("; ")}${more}`;
}

function send(res: ServerResponse, status: number, format: OtlpFormat, body: Uint8Array | string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { ...headers, "content-type": CONTENT_TYPE[format], "content-length": Buffer.byteLength(body) });
  res.end(body);
}
