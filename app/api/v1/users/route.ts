import { withAuth } from "@/lib/http/route";
import { listUsersForApi } from "@/lib/read-api/list-users";

export const runtime = "nodejs";

// GET /api/v1/users – per Helicone-User-Id: requests, traces, cost, last seen
export const GET = withAuth((request, { organizationId }) => listUsersForApi(organizationId, new URL(request.url).searchParams));
