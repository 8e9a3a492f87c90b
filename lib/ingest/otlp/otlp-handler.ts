import type { IncomingMessage, ServerResponse } from "node:http";
import { apiKeyFrom } from "../../auth/api-keys";
import { ApiError, unavailable } from "../../shared/api-error";
import type { LogWriter } from "../writer/log-writer";
import { storedWithin } from "../stored-within";
import { decodeJsonExport } from "./otlp-json";
import { decodeProtobufExport } from "./otlp-protobuf";
import { describeRejections, otlpFormatOf, sendExportFailure, sendExportSuccess, type OtlpFormat } from "./otlp-response";
import { exportToLogInputs } from "./span-to-record";
import { readOtlpBody } from "./read-otlp-body";
import type { DecodedExport } from "./otlp-span";

export interface OtlpDependencies {
  /** organization of the API key (null: none sent); throws the ApiError to answer (401, 429, 503) */
  authenticate(apiKey: string | null): Promise<string>;
  writer: Pick<LogWriter, "writeMany" | "stats">;
  maxBodyBytes: number;
  /** queued log records above which exports are refused with 503 */
  queueHighWater: number;
  /** how long a batch may wait for storage before the exporter is told to retry */
  writeTimeoutMs: number;
}

// POST /v1/traces – OTLP/HTTP trace export (protobuf or JSON, optionally gzipped)
export async function handleOtlpTraces(req: IncomingMessage, res: ServerResponse, deps: OtlpDependencies): Promise<void> {
  let format: OtlpFormat = "json";
  try {
    if (req.method !== "POST") throw new ApiError("method_not_allowed", "Use POST to export traces.", 405, { allow: "POST" });
    format = otlpFormatOf(req.headers["content-type"]);
    const organizationId = await deps.authenticate(apiKeyFrom(req.headers.authorization, req.headers["helicone-auth"]));
    // Refused before the body is read: under a backlog the cheapest answer is the best one.
    if (deps.writer.stats().queued > deps.queueHighWater) throw unavailable("Too many spans are waiting to be stored; retry later.");

    const body = await readOtlpBody(req, deps.maxBodyBytes);
    const { inputs: records, rejected } = exportToLogInputs(decode(format, body), organizationId, Date.now());
    const spanCount = records.length + rejected.length;
    // Nothing usable is a permanent failure (400: not retried), not a partial success.
    if (records.length === 0 && rejected.length > 0) throw new ApiError("invalid_spans", describeRejections(rejected, spanCount), 400);

    // 200 means stored: the exporter drops its copy once it has our answer.
    await storedWithin(deps.writer.writeMany(records), deps.writeTimeoutMs, "spans");
    sendExportSuccess(res, format, rejected, spanCount);
  } catch (error) {
    if (isClientGone(req, error)) return;
    sendExportFailure(res, format, error);
  }
}

function decode(format: OtlpFormat, body: Buffer): DecodedExport {
  if (format === "json") return decodeJsonExport(body);
  try {
    return decodeProtobufExport(body);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ApiError("invalid_protobuf", `Body is not an OTLP ExportTraceServiceRequest in protobuf: ${detail}`, 400);
  }
}

/** A client that hung up mid-upload gets no answer: nothing was stored, and nobody is listening. */
function isClientGone(req: IncomingMessage, error: unknown): boolean {
  return !(error instanceof ApiError) && (req.destroyed || req.readableAborted);
}
