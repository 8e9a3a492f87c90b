import { withAuth } from "@/lib/http/route";
import { getRequestForApi } from "@/lib/read-api/get-request";

export const runtime = "nodejs";

// GET /api/v1/requests/{id} – one request, bodies included
export const GET = withAuth<{ id: string }>((_request, { organizationId, params }) => getRequestForApi(organizationId, params.id));
