import { withAuth } from "@/lib/http/route";
import { getMetricsTop } from "@/lib/read-api/metrics";

export const runtime = "nodejs";

// GET /api/v1/metrics/top – the values of one dimension with the most cost, requests or p95 latency
export const GET = withAuth((request, { organizationId }) => getMetricsTop(organizationId, new URL(request.url).searchParams));
