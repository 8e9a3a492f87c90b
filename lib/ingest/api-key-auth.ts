import { hashApiKey } from "../auth/api-keys";
import { findOrganizationIdByApiKey } from "../storage/api-keys";

interface CachedKey {
  organizationId: string | null;
  expiresAt: number;
}

const KNOWN_KEY_TTL_MS = 30_000;
// Short, so a key created a moment ago works almost at once, yet a flood of bad keys stays cheap.
const UNKNOWN_KEY_TTL_MS = 2_000;
const MAX_CACHED_KEYS = 10_000;

// On globalThis because the custom server and Next's bundle each load their own copy of this
// module in the same process; revoking a key must clear the one cache both of them read.
const globalCache = globalThis as typeof globalThis & { __apiKeyCache?: Map<string, CachedKey> };
const cache = (globalCache.__apiKeyCache ??= new Map());

/**
 * The organization of an API key, or null. Every proxied call asks this, so answers are cached
 * briefly (by hash) instead of costing a database round trip each time.
 */
export async function authenticateApiKey(key: string): Promise<string | null> {
  const hash = hashApiKey(key);
  const now = Date.now();
  const hit = cache.get(hash);
  if (hit && hit.expiresAt > now) return hit.organizationId;

  const organizationId = await findOrganizationIdByApiKey(key);
  if (cache.size >= MAX_CACHED_KEYS) cache.clear();
  cache.set(hash, { organizationId, expiresAt: now + (organizationId ? KNOWN_KEY_TTL_MS : UNKNOWN_KEY_TTL_MS) });
  return organizationId;
}

/** Called after a key is revoked, so it stops working at once rather than after the TTL. */
export function forgetCachedApiKeys(): void {
  cache.clear();
}
