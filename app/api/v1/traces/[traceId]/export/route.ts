import { jsonStream } from "@/lib/http/json-stream";
import { withAuth } from "@/lib/http/route";
import { exportTrace, parseExportFormat, type TraceExportFile } from "@/lib/read-api/export-trace";

export const runtime = "nodejs";

// GET /api/v1/traces/{traceId}/export?format=otlp|json|markdown – the trace to import elsewhere, download or paste
export const GET = withAuth<{ traceId: string }>(async (request, { organizationId, params }) =>
  exportResponse(await exportTrace(organizationId, params.traceId, parseExportFormat(new URL(request.url).searchParams))),
);

function exportResponse({ body, contentType, fileName }: TraceExportFile): Response {
  const response = typeof body === "string" ? new Response(body) : jsonStream(body);
  response.headers.set("content-type", contentType);
  if (fileName) response.headers.set("content-disposition", `attachment; filename="${fileName}"`);
  return response;
}
