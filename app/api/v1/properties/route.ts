import { withAuth } from "@/lib/http/route";
import { listPropertiesForApi } from "@/lib/read-api/list-properties";

export const runtime = "nodejs";

// GET /api/v1/properties – property keys seen (or, with ?key=, that key's values), most used first
export const GET = withAuth((request, { organizationId }) => listPropertiesForApi(organizationId, new URL(request.url).searchParams));
