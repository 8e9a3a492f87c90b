import { readJson } from "@/lib/http/read-json";
import { withAuth, withSession } from "@/lib/http/route";
import { getRetentionForApi, setRetentionForApi } from "@/lib/settings/retention";

export const runtime = "nodejs";

// GET /api/v1/retention – how many days of requests the organization keeps (its own, the server's, the one that applies)
export const GET = withAuth((_request, { organizationId }) => getRetentionForApi(organizationId));

// PUT /api/v1/retention – set the organization's own window in days, or null to follow RETENTION_DAYS (admins only)
export const PUT = withSession(async (request, { organizationId }) => setRetentionForApi(organizationId, await readJson(request)), { role: "admin" });
