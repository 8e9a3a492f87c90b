import { hashApiKey } from "../auth/api-keys";
import { findOrganizationIdByApiKey } from "../storage/api-keys";

interface CachedKey {
  organizationId: string | null;
  expiresAt: number;
}

// Short, so that a key revoked from another process (`npm run keys -- revoke`, which cannot
// reach this cache) stops working within seconds; one indexed lookup per key per TTL is nothing.
const KNOWN_KEY_TTL_MS = 5_000;
// Short, so a key created a moment ago works almost at once, yet a flood of bad keys stays cheap.
const UNKNOWN_KEY_TTL_MS = 2_000;
const MAX_CACHED_KEYS = 10_000;

// On globalThis because the custom server and Next's bundle each load their own copy of this
// module in the same process; revoking a key must clear the one cache both of them read.
const globalCache = globalThis as typeof globalThis & { __apiKeyCache?: Map<string, CachedKey> };
const cache = (globalCache.__apiKeyCache ??= new Map());

/**
 * The organization of an API key, or null. Every proxied call asks this, so answers are cached
 * briefly (by hash) instead of costing a database round trip each time; while the database is
 * unreachable, a key's last known organization keeps answering.
 */
export async function authenticateApiKey(key: string): Promise<string | null> {
  const hash = hashApiKey(key);
  const now = Date.now();
  const hit = cache.get(hash);
  if (hit && hit.expiresAt > now) return hit.organizationId;

  let organizationId: string | null;
  try {
    organizationId = await findOrganizationIdByApiKey(key);
  } catch (error) {
    // The database is unreachable: a key that was valid a moment ago stays valid, so an outage
    // never fails the calls of a client that was already working. An unknown key stays out.
    if (hit?.organizationId) return hit.organizationId;
    throw error;
  }
  if (cache.size >= MAX_CACHED_KEYS) cache.clear();
  cache.set(hash, { organizationId, expiresAt: now + (organizationId ? KNOWN_KEY_TTL_MS : UNKNOWN_KEY_TTL_MS) });
  return organizationId;
}

/** Called after a key is revoked, so it stops working at once rather than after the TTL. */
export function forgetCachedApiKeys(): void {
  cache.clear();
}
