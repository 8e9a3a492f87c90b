import { withAuth } from "@/lib/http/route";
import { compareTracesForApi } from "@/lib/read-api/compare-traces";

export const runtime = "nodejs";

// GET /api/v1/traces/compare?a={traceId}&b={traceId} – two traces' metrics and their nodes aligned by path, with deltas b − a
export const GET = withAuth((request, { organizationId }) => compareTracesForApi(organizationId, new URL(request.url).searchParams));
