import { withAuth } from "@/lib/http/route";
import { listModelsForApi } from "@/lib/read-api/list-models";

export const runtime = "nodejs";

// GET /api/v1/models – models seen, most used first
export const GET = withAuth((_request, { organizationId }) => listModelsForApi(organizationId));
