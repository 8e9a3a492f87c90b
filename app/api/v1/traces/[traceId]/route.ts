import { withAuth } from "@/lib/http/route";
import { getTraceForApi } from "@/lib/read-api/get-trace";

export const runtime = "nodejs";

// GET /api/v1/traces/{traceId} – the trace tree with its metrics and critical path
export const GET = withAuth<{ traceId: string }>((_request, { organizationId, params }) => getTraceForApi(organizationId, params.traceId));
