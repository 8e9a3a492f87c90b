import { TRACE_EXPORT_FORMATS, type TraceExportFormat } from "../contracts/otlp-export";
import type { TraceResponse } from "../contracts/trace";
import { exchangeText, type ExchangeText } from "../domain/exchange-text";
import { traceToMarkdown } from "../domain/trace-markdown";
import { badRequest, notFound } from "../shared/api-error";
import { findTraceExportRows, type TraceExportRow } from "../storage/trace-export-rows";
import { getTraceJsonForApi } from "./get-trace";
import { parseBody } from "./request-dto";
import { traceToOtlpExport } from "./trace-otlp-export";

/** What the route sends: a body, its type, and the name to save it under (null: shown, not saved). */
export interface TraceExportFile {
  body: string | Iterable<Buffer>;
  contentType: string;
  fileName: string | null;
}

/** `format`, by default otlp; anything else is a 400 that names the formats there are. */
export function parseExportFormat(searchParams: URLSearchParams): TraceExportFormat {
  const format = searchParams.get("format") ?? "otlp";
  if ((TRACE_EXPORT_FORMATS as readonly string[]).includes(format)) return format as TraceExportFormat;
  throw badRequest(`Unknown format ${JSON.stringify(format.slice(0, 40))}: use format=${TRACE_EXPORT_FORMATS.join(", format=")}.`);
}

/**
 * GET /api/v1/traces/{traceId}/export: the trace as OTLP/JSON that POST /v1/traces turns back
 * into the same trace (trace-otlp-export.ts), as the trace API's document (`json`), or as
 * Markdown to paste into an issue or an LLM (lib/domain/trace-markdown.ts). A trace this
 * organization did not log is a 404 in every format.
 */
export async function exportTrace(organizationId: string, traceId: string, format: TraceExportFormat): Promise<TraceExportFile> {
  const fileStem = `trace-${safeFileName(traceId)}`;
  switch (format) {
    case "json":
      return { body: await getTraceJsonForApi(organizationId, traceId), contentType: "application/json", fileName: `${fileStem}.json` };
    case "otlp": {
      const rows = await exportRows(organizationId, traceId);
      return { body: JSON.stringify(traceToOtlpExport(traceId, rows)), contentType: "application/json", fileName: `${fileStem}.otlp.json` };
    }
    case "markdown": {
      // The document the trace API answers, so that the text says exactly what the view shows.
      const trace = JSON.parse(Buffer.concat([...(await getTraceJsonForApi(organizationId, traceId))]).toString("utf8")) as TraceResponse;
      const content = new Map<string, ExchangeText>();
      for (const row of await exportRows(organizationId, traceId)) {
        content.set(row.id, exchangeText(row.source, parseBody(row.requestBody), parseBody(row.responseBody)));
      }
      return { body: traceToMarkdown(trace, (id) => content.get(id)), contentType: "text/markdown; charset=utf-8", fileName: null };
    }
  }
}

async function exportRows(organizationId: string, traceId: string): Promise<TraceExportRow[]> {
  const rows = await findTraceExportRows(organizationId, traceId);
  if (rows.length === 0) throw notFound("trace");
  return rows;
}

/** Trace ids are free text (a Helicone path's first segment): only safe characters go into a file name. */
function safeFileName(traceId: string): string {
  return traceId.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 100);
}
