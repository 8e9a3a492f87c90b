import { ApiError, unavailable } from "../../shared/api-error";
import type { LogWriter } from "../writer/log-writer";
import { storedWithin } from "../stored-within";
import { exportToLogInputs } from "./span-to-record";
import type { DecodedExport, SpanRejection } from "./otlp-span";

export interface OtlpDependencies {
  /** organization of the API key (null: none sent); throws the ApiError to answer (401, 429, 503) */
  authenticate(apiKey: string | null): Promise<string>;
  writer: Pick<LogWriter, "writeMany" | "stats">;
  /** largest export accepted, counted after decompression (each transport enforces it as it reads) */
  maxBodyBytes: number;
  /** queued log records above which exports are refused with 503 */
  queueHighWater: number;
  /** how long a batch may wait for storage before the exporter is told to retry */
  writeTimeoutMs: number;
}

/** One trace export as a transport hands it over, before anything about it is trusted. */
export interface OtlpExport {
  apiKey: string | null;
  /**
   * The export's spans. Called only once the key and the backlog let the export in: OTLP/HTTP
   * reads the body there, so a refused export is answered before it is uploaded.
   */
  read(): Promise<DecodedExport>;
}

/** ExportTraceServiceResponse.partial_success, which the spec allows only when spans were rejected. */
export interface OtlpPartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

const REASONS_LISTED = 5;

/**
 * The one ingest path for OTLP traces, whichever transport carried them (OTLP/HTTP:
 * otlp-handler.ts, OTLP/gRPC: otlp-grpc-server.ts): key, backlog, spans, then stored before the
 * answer, since the exporter drops its copy once it hears success. Resolves to the partial
 * success to report (null: every span kept); throws the ApiError the transport answers with
 * (otlp-status.ts maps it to an HTTP status and a gRPC code).
 */
export async function ingestOtlpExport(request: OtlpExport, deps: OtlpDependencies): Promise<OtlpPartialSuccess | null> {
  const organizationId = await deps.authenticate(request.apiKey);
  // Refused before the spans are read: under a backlog the cheapest answer is the best one.
  if (deps.writer.stats().queued > deps.queueHighWater) throw unavailable("Too many spans are waiting to be stored; retry later.");

  const { inputs: records, rejected } = exportToLogInputs(await request.read(), organizationId, Date.now());
  const spanCount = records.length + rejected.length;
  // Nothing usable is a permanent failure (not retried), not a partial success.
  if (records.length === 0 && rejected.length > 0) throw new ApiError("invalid_spans", describeRejections(rejected, spanCount), 400);

  await storedWithin(deps.writer.writeMany(records), deps.writeTimeoutMs, "spans");
  return rejected.length > 0 ? { rejectedSpans: rejected.length, errorMessage: describeRejections(rejected, spanCount) } : null;
}

function describeRejections(rejected: readonly SpanRejection[], spanCount: number): string {
  const listed = rejected.slice(0, REASONS_LISTED).map(({ span, reason }) => `span ${span}: ${reason}`);
  const more = rejected.length > REASONS_LISTED ? `; and ${rejected.length - REASONS_LISTED} more` : "";
  return `${rejected.length} of ${spanCount} spans rejected: ${listed.join("; ")}${more}`;
}
