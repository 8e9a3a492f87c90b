import type { ServerResponse } from "node:http";
import { ApiError } from "../../shared/api-error";
import type { OtlpPartialSuccess } from "./ingest-otlp-export";
import { encodeProtobufResponse, encodeProtobufStatus, ERROR_INFO_TYPE_URL } from "./otlp-protobuf";
import { otlpFailureOf } from "./otlp-status";

/**
 * OTLP/HTTP answers in the request's own encoding: an ExportTraceServiceResponse on success
 * (with partial_success when spans were rejected), a google.rpc.Status on every 4xx/5xx.
 */
export type OtlpFormat = "protobuf" | "json";

const CONTENT_TYPE: Record<OtlpFormat, string> = { protobuf: "application/x-protobuf", json: "application/json" };

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

export function sendExportSuccess(res: ServerResponse, format: OtlpFormat, partialSuccess: OtlpPartialSuccess | null): void {
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
 * code every other endpoint answers for that condition (otlp-status.ts).
 */
export function sendExportFailure(res: ServerResponse, format: OtlpFormat, error: unknown): void {
  const { httpStatus, headers, status } = otlpFailureOf(error);
  send(
    res,
    httpStatus,
    format,
    format === "protobuf"
      ? encodeProtobufStatus(status)
      : JSON.stringify({
          code: status.code,
          message: status.message,
          details: [{ "@type": ERROR_INFO_TYPE_URL, reason: status.reason, domain: status.domain }],
        }),
    headers,
  );
}

function send(res: ServerResponse, status: number, format: OtlpFormat, body: Uint8Array | string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { ...headers, "content-type": CONTENT_TYPE[format], "content-length": Buffer.byteLength(body) });
  res.end(body);
}
