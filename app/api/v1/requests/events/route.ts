import { withAuth } from "@/lib/http/route";
import { requestEventsForApi } from "@/lib/read-api/live-events";

export const runtime = "nodejs";

// GET /api/v1/requests/events – Server-Sent Events: each request of the organization as it is stored
export const GET = withAuth(async (request, { organizationId }) => requestEventsForApi(organizationId, request.signal));
