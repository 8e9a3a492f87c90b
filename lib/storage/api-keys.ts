import { displayPrefix, generateApiKey, hashApiKey } from "../auth/api-keys";
import { getDb } from "./db";

export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Creates a key and returns it in clear text: the only time anyone sees it. */
export async function createApiKey(organizationId: string, name: string): Promise<{ key: string; apiKey: ApiKeySummary }> {
  const key = generateApiKey();
  const apiKey = await saveApiKey(organizationId, name, key);
  return { key, apiKey };
}

/** Makes sure a caller-chosen key (SEED_API_KEY) exists for the organization; idempotent. */
export async function ensureApiKey(organizationId: string, name: string, key: string): Promise<void> {
  const existing = await getDb().apiKey.findUnique({ where: { keyHash: hashApiKey(key) } });
  if (existing) {
    if (existing.organizationId !== organizationId || existing.revokedAt) {
      await getDb().apiKey.update({ where: { id: existing.id }, data: { organizationId, revokedAt: null } });
    }
    return;
  }
  await saveApiKey(organizationId, name, key);
}

async function saveApiKey(organizationId: string, name: string, key: string): Promise<ApiKeySummary> {
  return getDb().apiKey.create({
    data: { organizationId, name, keyHash: hashApiKey(key), prefix: displayPrefix(key) },
    select: summaryFields,
  });
}

/** The organization a live key belongs to, or null for an unknown or revoked key. */
export async function findOrganizationIdByApiKey(key: string): Promise<string | null> {
  const found = await getDb().apiKey.findUnique({
    where: { keyHash: hashApiKey(key) },
    select: { organizationId: true, revokedAt: true },
  });
  return found && !found.revokedAt ? found.organizationId : null;
}

export async function listApiKeys(organizationId: string): Promise<ApiKeySummary[]> {
  return getDb().apiKey.findMany({ where: { organizationId }, orderBy: { createdAt: "desc" }, select: summaryFields });
}

/** Revokes a key of this organization; false when there is no such key in it. */
export async function revokeApiKey(organizationId: string, id: string): Promise<boolean> {
  const { count } = await getDb().apiKey.updateMany({
    where: { id, organizationId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count > 0;
}

const summaryFields = { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;
