import { withAuth } from "@/lib/http/route";
import { getMetricsSummary } from "@/lib/read-api/metrics";

export const runtime = "nodejs";

// GET /api/v1/metrics/summary – totals for a time range and the Requests filters
export const GET = withAuth((request, { organizationId }) => getMetricsSummary(organizationId, new URL(request.url).searchParams));
