import { getDb } from "./db";

export interface UserSummary {
  id: string;
  organizationId: string;
  email: string;
  name: string | null;
  role: string;
  createdAt: Date;
}

const summaryFields = { id: true, organizationId: true, email: true, name: true, role: true, createdAt: true } as const;

/** The user with this e-mail (stored lower-cased) and its password hash, for login only. */
export async function findUserForLogin(email: string) {
  return getDb().user.findUnique({ where: { email: email.trim().toLowerCase() }, select: { ...summaryFields, passwordHash: true } });
}

/** A user by id, or null once deleted: a session of a removed user stops working at once. */
export async function findUserById(id: string): Promise<UserSummary | null> {
  return getDb().user.findUnique({ where: { id }, select: summaryFields });
}

export async function listOrganizationMembers(organizationId: string): Promise<UserSummary[]> {
  return getDb().user.findMany({ where: { organizationId }, orderBy: { createdAt: "asc" }, select: summaryFields });
}

/** Adds a member; null when the e-mail is already taken (in any organization). */
export async function createMember(
  organizationId: string,
  member: { email: string; name: string | null; role: "admin" | "member"; passwordHash: string },
): Promise<UserSummary | null> {
  const email = member.email.trim().toLowerCase();
  const existing = await getDb().user.findUnique({ where: { email }, select: { id: true } });
  if (existing) return null;
  return getDb().user.create({ data: { organizationId, ...member, email }, select: summaryFields });
}

/** Removes a member of this organization; false when there is no such member in it. */
export async function deleteMember(organizationId: string, id: string): Promise<boolean> {
  const { count } = await getDb().user.deleteMany({ where: { id, organizationId } });
  return count > 0;
}

export async function setPasswordHash(userId: string, passwordHash: string): Promise<void> {
  await getDb().user.update({ where: { id: userId }, data: { passwordHash } });
}
