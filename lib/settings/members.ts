import { z } from "zod";
import { generatePassword, hashPassword } from "../auth/passwords";
import { ApiError, notFound } from "../shared/api-error";
import { createMember, deleteMember, listOrganizationMembers, type UserSummary } from "../storage/users";

export const inviteMemberSchema = z.object({
  email: z.email().max(320),
  name: z.string().trim().max(100).optional(),
  role: z.enum(["admin", "member"]).default("member"),
});

function toDto(user: UserSummary) {
  return { id: user.id, email: user.email, name: user.name, role: user.role, createdAt: user.createdAt.toISOString() };
}

/** GET /api/v1/members: who can sign in to this organization's dashboard. */
export async function listMembersForApi(organizationId: string) {
  return { data: (await listOrganizationMembers(organizationId)).map(toDto) };
}

/**
 * POST /api/v1/members: adds a member with a generated password, returned this one time for the
 * admin to pass on (there is no e-mail delivery in a self-hosted install).
 */
export async function inviteMemberForApi(organizationId: string, body: unknown) {
  const { email, name, role } = inviteMemberSchema.parse(body);
  const password = generatePassword();
  const member = await createMember(organizationId, { email, name: name || null, role, passwordHash: await hashPassword(password) });
  if (!member) throw new ApiError("conflict", "A user with this e-mail already exists.", 409);
  return Response.json({ member: toDto(member), password }, { status: 201 });
}

/** DELETE /api/v1/members/{id}: removes a member; their open sessions stop working at once. */
export async function removeMemberForApi(organizationId: string, id: string, callerId: string) {
  if (id === callerId) throw new ApiError("bad_request", "You cannot remove yourself.", 400);
  if (!(await deleteMember(organizationId, id))) throw notFound("member");
  return new Response(null, { status: 204 });
}
