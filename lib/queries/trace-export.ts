import type { TraceExportFormat } from "@/lib/contracts/otlp-export";
import { ApiRequestError } from "./api-client";

/** GET /api/v1/traces/{traceId}/export: same-origin, so the session cookie authenticates a plain link. */
export function traceExportUrl(traceId: string, format: TraceExportFormat): string {
  return `/api/v1/traces/${encodeURIComponent(traceId)}/export?format=${format}`;
}

/** The trace as Markdown text (format=markdown), to copy. */
export async function fetchTraceMarkdown(traceId: string): Promise<string> {
  const response = await fetch(traceExportUrl(traceId, "markdown"), { credentials: "same-origin" });
  if (!response.ok) {
    const error = ((await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiRequestError(response.status, error?.code ?? "http_error", error?.message ?? `Request failed with status ${response.status}`);
  }
  return response.text();
}
