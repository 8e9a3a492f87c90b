import { withSession } from "@/lib/http/route";
import { removeMemberForApi } from "@/lib/settings/members";

export const runtime = "nodejs";

// DELETE /api/v1/members/{id} – remove a member (admins only)
export const DELETE = withSession<{ id: string }>(
  (_request, { organizationId, params, caller }) => removeMemberForApi(organizationId, params.id, caller.kind === "user" ? caller.userId : ""),
  { role: "admin" },
);
