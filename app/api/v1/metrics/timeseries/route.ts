import { withAuth } from "@/lib/http/route";
import { getMetricsTimeseries } from "@/lib/read-api/metrics";

export const runtime = "nodejs";

// GET /api/v1/metrics/timeseries – the same figures in UTC-aligned buckets, optionally grouped
export const GET = withAuth((request, { organizationId }) => getMetricsTimeseries(organizationId, new URL(request.url).searchParams));
