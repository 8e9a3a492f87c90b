import { withAuth } from "@/lib/http/route";
import { listRequestsForApi } from "@/lib/read-api/list-requests";

export const runtime = "nodejs";

// GET /api/v1/requests – logged requests, newest first, filtered and cursor-paginated
export const GET = withAuth((request, { organizationId }) => listRequestsForApi(organizationId, new URL(request.url).searchParams));
