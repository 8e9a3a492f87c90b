import { withAuth } from "@/lib/http/route";
import { listSessionsForApi } from "@/lib/read-api/list-sessions";

export const runtime = "nodejs";

// GET /api/v1/sessions – list sessions, most recently active first
export const GET = withAuth((request, { organizationId }) => listSessionsForApi(organizationId, new URL(request.url).searchParams));
