import { getDb } from "./db";

/** The organization with this name, created when missing (for `npm run keys -- --organization`). */
export async function findOrCreateOrganization(name: string): Promise<string> {
  const db = getDb();
  const existing = await db.organization.findFirst({ where: { name }, select: { id: true } });
  if (existing) return existing.id;
  return (await db.organization.create({ data: { name }, select: { id: true } })).id;
}

/** The first organization created: the one a fresh install sets up and signs its admin into. */
export async function findDefaultOrganization(): Promise<{ id: string } | null> {
  return getDb().organization.findFirst({ orderBy: { createdAt: "asc" }, select: { id: true } });
}

export async function createOrganization(name: string): Promise<{ id: string }> {
  return getDb().organization.create({ data: { name }, select: { id: true } });
}
