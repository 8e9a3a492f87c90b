import type { IncomingMessage, ServerResponse } from "node:http";
import { apiKeyFrom } from "../../auth/api-keys";
import { ApiError } from "../../shared/api-error";
import { ingestOtlpExport, type OtlpDependencies } from "./ingest-otlp-export";
import { decodeJsonExport } from "./otlp-json";
import { decodeProtobufExport } from "./otlp-protobuf";
import { otlpFormatOf, sendExportFailure, sendExportSuccess, type OtlpFormat } from "./otlp-response";
import { readOtlpBody } from "./read-otlp-body";

// POST /v1/traces – OTLP/HTTP trace export (protobuf or JSON, optionally gzipped)
export async function handleOtlpTraces(req: IncomingMessage, res: ServerResponse, deps: OtlpDependencies): Promise<void> {
  let format: OtlpFormat = "json";
  try {
    if (req.method !== "POST") throw new ApiError("method_not_allowed", "Use POST to export traces.", 405, { allow: "POST" });
    format = otlpFormatOf(req.headers["content-type"]);
    const apiKey = apiKeyFrom(req.headers.authorization, req.headers["helicone-auth"]);
    const read = async () => {
      const body = await readOtlpBody(req, deps.maxBodyBytes);
      return format === "json" ? decodeJsonExport(body) : decodeProtobufExport(body);
    };
    // 200 means stored: the exporter drops its copy once it has our answer.
    sendExportSuccess(res, format, await ingestOtlpExport({ apiKey, read }, deps));
  } catch (error) {
    if (isClientGone(req, error)) return;
    sendExportFailure(res, format, error);
  }
}

/** A client that hung up mid-upload gets no answer: nothing was stored, and nobody is listening. */
function isClientGone(req: IncomingMessage, error: unknown): boolean {
  return !(error instanceof ApiError) && (req.destroyed || req.readableAborted);
}
