import { withAuth } from "@/lib/http/route";
import { listOrganizationSharesForApi } from "@/lib/read-api/trace-shares";

export const runtime = "nodejs";

// GET /api/v1/shares – every share link of the organization
export const GET = withAuth((_request, { organizationId }) => listOrganizationSharesForApi(organizationId));
