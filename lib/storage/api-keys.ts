import { getDb } from "./db";

export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const summaryFields = { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;

/** Stores a key by its hash; the key itself is never stored. */
export async function saveApiKey(organizationId: string, name: string, keyHash: string, prefix: string): Promise<ApiKeySummary> {
  return getDb().apiKey.create({ data: { organizationId, name, keyHash, prefix }, select: summaryFields });
}

export async function findApiKeyByHash(keyHash: string): Promise<{ id: string; organizationId: string; revokedAt: Date | null } | null> {
  return getDb().apiKey.findUnique({ where: { keyHash }, select: { id: true, organizationId: true, revokedAt: true } });
}

/** Moves a key to `organizationId` and makes it live again. */
export async function reinstateApiKey(id: string, organizationId: string): Promise<void> {
  await getDb().apiKey.update({ where: { id }, data: { organizationId, revokedAt: null } });
}

/** The organization a live key belongs to, or null for an unknown or revoked key. */
export async function findOrganizationIdByKeyHash(keyHash: string): Promise<string | null> {
  const found = await findApiKeyByHash(keyHash);
  return found && !found.revokedAt ? found.organizationId : null;
}

export async function listApiKeys(organizationId: string): Promise<ApiKeySummary[]> {
  return getDb().apiKey.findMany({ where: { organizationId }, orderBy: { createdAt: "desc" }, select: summaryFields });
}

/** Revokes a key of this organization; false when there is no such key in it. */
export async function markApiKeyRevoked(organizationId: string, id: string): Promise<boolean> {
  const { count } = await getDb().apiKey.updateMany({
    where: { id, organizationId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count > 0;
}
