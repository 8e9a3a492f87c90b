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

/** Every organization's own retention (days; null: the server's RETENTION_DAYS applies), for the retention run. */
export async function listOrganizationRetention(): Promise<Array<{ id: string; retentionDays: number | null }>> {
  return getDb().organization.findMany({ select: { id: true, retentionDays: true }, orderBy: { createdAt: "asc" } });
}

/** An organization's own retention in days, or null when it has none. */
export async function findOrganizationRetentionDays(organizationId: string): Promise<number | null> {
  const organization = await getDb().organization.findUnique({ where: { id: organizationId }, select: { retentionDays: true } });
  return organization?.retentionDays ?? null;
}

/** Sets (or, with null, clears) an organization's own retention; the next retention run applies it. */
export async function setOrganizationRetentionDays(organizationId: string, days: number | null): Promise<void> {
  await getDb().organization.update({ where: { id: organizationId }, data: { retentionDays: days } });
}
