import { readJson } from "@/lib/http/read-json";
import { withAuth, withSession } from "@/lib/http/route";
import { getSharingForApi, setSharingForApi } from "@/lib/settings/sharing";

export const runtime = "nodejs";

// GET /api/v1/sharing – whether the organization allows share links
export const GET = withAuth((_request, { organizationId }) => getSharingForApi(organizationId));

// PUT /api/v1/sharing – turn share links on or off (admins only); off revokes them all
export const PUT = withSession(async (request, { organizationId }) => setSharingForApi(organizationId, await readJson(request)), { role: "admin" });
