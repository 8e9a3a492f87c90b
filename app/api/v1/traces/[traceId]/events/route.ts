import { withAuth } from "@/lib/http/route";
import { traceEventsForApi } from "@/lib/read-api/live-events";

export const runtime = "nodejs";

// GET /api/v1/traces/{traceId}/events – Server-Sent Events: each request of the trace as it is stored
export const GET = withAuth<{ traceId: string }>(async (request, { organizationId, params }) => traceEventsForApi(organizationId, params.traceId, request.signal));
