import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "../../http/api-error";
import { bearerToken } from "../helicone-headers";
import type { LogWriter } from "../writer/log-writer";
import { decodeJsonExport } from "./otlp-json";
import { decodeProtobufExport } from "./otlp-protobuf";
import { describeRejections, otlpFormatOf, sendExportFailure, sendExportSuccess, type OtlpFormat } from "./otlp-response";
import { exportToLogInputs } from "./span-to-record";
import { readOtlpBody } from "./read-otlp-body";
import type { DecodedExport } from "./otlp-span";

export interface OtlpDependencies {
  /** organization of an API key, or null when it is unknown or revoked */
  authenticate(apiKey: string): Promise<string | null>;
  /** the 429 to answer when the key is over its rate, else null */
  rateLimit?(apiKey: string): ApiError | null;
  writer: Pick<LogWriter, "writeMany" | "stats">;
  maxBodyBytes: number;
  /** queued log records above which exports are refused with 503 */
  queueHighWater: number;
  /** how long a batch may wait for storage before the exporter is told to retry */
  writeTimeoutMs: number;
}

// Long enough for a backlog of a few batches to clear; the exporter backs off exponentially anyway.
const RETRY_AFTER_SECONDS = "2";

// POST /v1/traces – OTLP/HTTP trace export (protobuf or JSON, optionally gzipped)
export async function handleOtlpTraces(req: IncomingMessage, res: ServerResponse, deps: OtlpDependencies): Promise<void> {
  let format: OtlpFormat = "json";
  try {
    if (req.method !== "POST") throw new ApiError("method_not_allowed", "Use POST to export traces.", 405, { allow: "POST" });
    format = otlpFormatOf(req.headers["content-type"]);
    const organizationId = await authenticate(req, deps);
    // Refused before the body is read: under a backlog the cheapest answer is the best one.
    if (deps.writer.stats().queued > deps.queueHighWater) throw unavailable("Too many spans are waiting to be stored; retry later.");

    const body = await readOtlpBody(req, deps.maxBodyBytes);
    const { inputs: records, rejected } = exportToLogInputs(decode(format, body), organizationId, Date.now());
    const spanCount = records.length + rejected.length;
    // Nothing usable is a permanent failure (400: not retried), not a partial success.
    if (records.length === 0 && rejected.length > 0) throw new ApiError("invalid_spans", describeRejections(rejected, spanCount), 400);

    // 200 means stored: the exporter drops its copy once it has our answer.
    await storedWithin(deps.writer.writeMany(records), deps.writeTimeoutMs);
    sendExportSuccess(res, format, rejected, spanCount);
  } catch (error) {
    if (isClientGone(req, error)) return;
    sendExportFailure(res, format, error);
  }
}

async function authenticate(req: IncomingMessage, deps: OtlpDependencies): Promise<string> {
  const key = bearerToken(req.headers.authorization) ?? bearerToken(req.headers["helicone-auth"] as string | undefined);
  if (!key) throw new ApiError("unauthorized", 'Send your API key as "Authorization: Bearer <key>" (or Helicone-Auth).', 401);
  let organizationId: string | null;
  try {
    organizationId = await deps.authenticate(key);
  } catch {
    throw unavailable("Could not verify the API key right now; retry later.");
  }
  if (!organizationId) throw new ApiError("unauthorized", "Invalid or revoked API key.", 401);
  const limited = deps.rateLimit?.(key);
  if (limited) throw limited;
  return organizationId;
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

function storedWithin(written: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(unavailable("Storage is not keeping up; retry later.")), ms);
    written.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), reject(unavailable("The spans could not be stored; retry later."))),
    );
  });
}

function unavailable(message: string): ApiError {
  return new ApiError("unavailable", message, 503, { "retry-after": RETRY_AFTER_SECONDS });
}

/** A client that hung up mid-upload gets no answer: nothing was stored, and nobody is listening. */
function isClientGone(req: IncomingMessage, error: unknown): boolean {
  return !(error instanceof ApiError) && (req.destroyed || req.readableAborted);
}
