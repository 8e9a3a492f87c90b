import { jsonStream } from "@/lib/http/json-stream";
import { withAuth } from "@/lib/http/route";
import { getTraceJsonForApi } from "@/lib/read-api/get-trace";

export const runtime = "nodejs";

// GET /api/v1/traces/{traceId} – the trace tree with its metrics and critical path
export const GET = withAuth<{ traceId: string }>(async (_request, { organizationId, params }) =>
  jsonStream(await getTraceJsonForApi(organizationId, params.traceId)),
);
