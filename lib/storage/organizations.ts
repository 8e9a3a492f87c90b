import { getDb } from "./db";

/** The organization with this name, created when missing (for `npm run keys -- --organization`). */
export async function findOrCreateOrganization(name: string): Promise<string> {
  const db = getDb();
  const existing = await db.organization.findFirst({ where: { name }, select: { id: true } });
  if (existing) return existing.id;
  return (await db.organization.create({ data: { name }, select: { id: true } })).id;
}
