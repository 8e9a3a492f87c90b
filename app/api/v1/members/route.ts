import { withSession } from "@/lib/http/route";
import { readJson } from "@/lib/http/read-json";
import { inviteMemberForApi, listMembersForApi } from "@/lib/settings/members";

export const runtime = "nodejs";

// GET /api/v1/members – who can sign in to this organization
export const GET = withSession((_request, { organizationId }) => listMembersForApi(organizationId));

// POST /api/v1/members – invite a member (admins only); their first password is shown once
export const POST = withSession(async (request, { organizationId }) => inviteMemberForApi(organizationId, await readJson(request)), { role: "admin" });
