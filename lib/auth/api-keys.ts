/**
 * API keys, the one module that owns them: minting, hashing, reading one from a request, checking
 * it (cached), and the rate limit per key. Every endpoint (proxy, custom log, OTLP, read API)
 * authenticates through authenticateApiKey, so the same condition gets the same answer
 * everywhere, as an ApiError each endpoint writes in its own error shape (the codes are OpenAI's
 * own where it has one, so the proxy's answers read as OpenAI's):
 * - no key, or an unknown or revoked one: 401 `invalid_api_key`
 * - over the key's rate: 429 `rate_limit_exceeded` with Retry-After
 * - the key cannot be checked (database unreachable or slow) and was not known a moment ago:
 *   503 `unavailable` with Retry-After. Never a 500.
 */
import { createHash, randomBytes } from "node:crypto";
import { LRUCache } from "lru-cache";
import { ApiError, unavailable } from "../shared/api-error";
import { config } from "../shared/config";
import { processSingleton, processSlot } from "../shared/process-slot";
import { redisChannel, redisConfigured, sharedRedisWhenReady, subscribeRedis } from "../shared/redis";
import { withTimeout } from "../shared/timeout";
import {
  findApiKeyByHash,
  findOrganizationIdByKeyHash,
  markApiKeyRevoked,
  reinstateApiKey,
  saveApiKey,
  type ApiKeySummary,
} from "../storage/api-keys";
import { KeyRateLimit } from "./token-bucket";

export const API_KEY_PREFIX = "sk-tw-";

/** A new API key: 256 random bits, shown to its owner once and stored only as a hash. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString("base64url");
}

/**
 * Keys are long random strings, so a fast unsalted hash is enough (no dictionary to attack) and
 * keeps the lookup on every proxied call to one indexed equality.
 */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** What a list may show of a key: enough to recognise it, far too little to use it. */
export function displayPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 4);
}

/** `Bearer <key>` → key; anything else → null. */
export function bearerToken(value: string | null | undefined): string | null {
  if (!value) return null;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(value);
  return match ? match[1]! : null;
}

const BASIC = /^\s*Basic(?:\s+(\S*))?\s*$/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASIC_FORM = 'send "Authorization: Basic base64(<public key>:<your API key>)"';

/**
 * `Basic base64(<anything>:<key>)` → key, the password; anything that is not Basic → null. This
 * is how Langfuse's SDKs authenticate (public key as the user, secret key as the password): a
 * Tracewell API key given as LANGFUSE_SECRET_KEY works, whatever the public key. A Basic
 * credential that cannot be read throws the 401 that says why.
 */
export function basicPassword(value: string | null | undefined): string | null {
  if (!value) return null;
  const match = BASIC.exec(value);
  if (!match) return null;
  const encoded = match[1] ?? "";
  if (!BASE64.test(encoded) || encoded.length % 4 === 1) {
    throw new ApiError("invalid_api_key", `Authorization: Basic carries no base64 credentials; ${BASIC_FORM}.`, 401);
  }
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1) {
    throw new ApiError("invalid_api_key", `Authorization: Basic credentials have no ":" between the public key and the secret key; ${BASIC_FORM}.`, 401);
  }
  const password = decoded.slice(colon + 1);
  if (password === "") throw new ApiError("invalid_api_key", `Authorization: Basic credentials have an empty secret key; ${BASIC_FORM}.`, 401);
  return password;
}

type HeaderValue = string | string[] | null | undefined;

const firstOf = (value: HeaderValue) => (Array.isArray(value) ? value[0] : value);

/** The key of the first of these header values (in order of preference) that holds `Bearer <key>`. */
export function bearerKeyFrom(...values: HeaderValue[]): string | null {
  for (const value of values) {
    const key = bearerToken(firstOf(value));
    if (key) return key;
  }
  return null;
}

/**
 * The API key of an ingest request: a Bearer key in any of these header values (in order of
 * preference), else the secret key of a Basic credential (Langfuse's SDKs). Bearer comes first so
 * that Basic credentials meant for a reverse proxy in front of us do not hide the key beside
 * them. Throws a 401 for a Basic credential that cannot be read.
 */
export function apiKeyFrom(...values: HeaderValue[]): string | null {
  const bearer = bearerKeyFrom(...values);
  if (bearer) return bearer;
  for (const value of values) {
    const key = basicPassword(firstOf(value));
    if (key) return key;
  }
  return null;
}

// ---- checking a key ----------------------------------------------------------------------------

// Short, so that a key revoked from another process (another instance, `npm run keys -- revoke`)
// stops working within 5 s even when no revocation message reaches this one (no REDIS_URL, or
// Redis away): counted from the start of the lookup, so a slow lookup does not stretch it. One
// indexed lookup per key per TTL is nothing.
const KNOWN_KEY_TTL_MS = 4_000;
// Short, so a key created a moment ago works almost at once, yet a flood of bad keys stays cheap.
const UNKNOWN_KEY_TTL_MS = 2_000;
const MAX_CACHED_KEYS = 10_000;
// An indexed lookup takes well under a millisecond: past this the database is in trouble, and the
// caller hears so now rather than after the driver's own timeouts (5 s and more).
const KEY_CHECK_TIMEOUT_MS = 2_000;

interface CheckedKey {
  /** null: no live key has this hash */
  organizationId: string | null;
}

interface KeyState {
  /** by key hash; a stale entry is kept (not served) so an outage can fall back on it */
  checked: LRUCache<string, CheckedKey>;
  /** by key hash: lookups in flight */
  pending: Map<string, Promise<string | null>>;
  /** bumped by every revocation: a lookup that began before one does not cache its answer */
  generation: number;
  /** by key hash: the limit follows the key, across every endpoint (and every instance, with Redis) */
  rate: KeyRateLimit;
}

// With REDIS_URL, a revocation anywhere is published here and every instance forgets its checked
// keys at once (the TTL above stays as the safety net for a message lost while Redis was away).
const REVOCATIONS_CHANNEL = "api-keys:revoked";

// One per process: revoking a key (read API, in Next's bundle) must clear the cache the proxy
// (the custom server's copy of this module) reads, and both count against one rate.
const STATE_SLOT = "api-keys";
const state = () =>
  processSingleton<KeyState>(STATE_SLOT, () => {
    const created: KeyState = {
      checked: new LRUCache({ max: MAX_CACHED_KEYS, ttl: KNOWN_KEY_TTL_MS, noDeleteOnStaleGet: true }),
      pending: new Map(),
      generation: 0,
      rate: new KeyRateLimit(config().RATE_LIMIT_PER_SECOND, config().RATE_LIMIT_BURST),
    };
    subscribeRedis(redisChannel(REVOCATIONS_CHANNEL), () => forgetCheckedKeys(created));
    return created;
  });

/** After a revocation: every key is checked again on its next use. */
function forgetCheckedKeys(current: KeyState): void {
  current.generation++;
  current.checked.clear();
  current.pending.clear();
}

/**
 * The organization of `key` (null: the request carried none), or the ApiError to answer (see the
 * module comment). `howToSend` completes the 401 for a request without a key.
 */
export async function authenticateApiKey(key: string | null, howToSend = 'Send your API key as "Authorization: Bearer <key>".'): Promise<string> {
  if (!key) throw new ApiError("invalid_api_key", `Missing API key. ${howToSend}`, 401);
  const hash = hashApiKey(key);
  const organizationId = await organizationOf(hash);
  if (!organizationId) throw new ApiError("invalid_api_key", "Invalid or revoked API key.", 401);
  const { rate } = state();
  const retryAfterSeconds = await rate.take(hash);
  if (retryAfterSeconds !== null) {
    throw new ApiError(
      "rate_limit_exceeded",
      `Rate limit exceeded: this API key may make ${rate.perSecond} requests per second; retry after ${retryAfterSeconds} s.`,
      429,
      { "retry-after": String(retryAfterSeconds) },
    );
  }
  return organizationId;
}

/**
 * Every proxied call asks this, so answers are cached briefly instead of costing a database round
 * trip each time, and requests arriving together with the same unchecked key share one lookup.
 * While the database cannot answer, a key's last known organization keeps answering, so an
 * outage never fails the calls of a client that was already working.
 */
function organizationOf(hash: string): Promise<string | null> {
  const { checked, pending } = state();
  const fresh = checked.get(hash);
  if (fresh) return Promise.resolve(fresh.organizationId);
  let lookup = pending.get(hash);
  if (!lookup) {
    const started = lookUp(hash).finally(() => {
      if (pending.get(hash) === started) pending.delete(hash);
    });
    pending.set(hash, (lookup = started));
  }
  return lookup;
}

async function lookUp(hash: string): Promise<string | null> {
  const current = state();
  const { checked, generation } = current;
  const startedAtMs = performance.now();
  let organizationId: string | null;
  try {
    organizationId = await withTimeout(findOrganizationIdByKeyHash(hash), KEY_CHECK_TIMEOUT_MS, () => new Error("API key lookup timed out"));
  } catch {
    const lastKnown = checked.get(hash, { allowStale: true })?.organizationId;
    if (lastKnown) return lastKnown;
    throw unavailable("Could not verify the API key right now; retry later.");
  }
  // A revocation while this lookup ran may have come after the row was read: answer, don't keep.
  if (current.generation === generation) {
    const ttl = (organizationId ? KNOWN_KEY_TTL_MS : UNKNOWN_KEY_TTL_MS) - (performance.now() - startedAtMs);
    if (ttl >= 1) checked.set(hash, { organizationId }, { ttl });
  }
  return organizationId;
}

// ---- minting and revoking ----------------------------------------------------------------------

/** Creates a key and returns it in clear text: the only time anyone sees it. */
export async function createApiKey(organizationId: string, name: string): Promise<{ key: string; apiKey: ApiKeySummary }> {
  const key = generateApiKey();
  return { key, apiKey: await saveApiKey(organizationId, name, hashApiKey(key), displayPrefix(key)) };
}

/** Makes sure a caller-chosen key (SEED_API_KEY) exists, live, for the organization; idempotent. */
export async function ensureApiKey(organizationId: string, name: string, key: string): Promise<void> {
  const existing = await findApiKeyByHash(hashApiKey(key));
  if (!existing) await saveApiKey(organizationId, name, hashApiKey(key), displayPrefix(key));
  else if (existing.organizationId !== organizationId || existing.revokedAt) await reinstateApiKey(existing.id, organizationId);
}

/**
 * Revokes a key of this organization (false: no such live key in it). It stops working at once
 * in this process and, with REDIS_URL, in every instance told through Redis; any other process
 * (no Redis, or the message lost) forgets it within KNOWN_KEY_TTL_MS.
 */
export async function revokeApiKey(organizationId: string, id: string): Promise<boolean> {
  const revoked = await markApiKeyRevoked(organizationId, id);
  if (!revoked) return false;
  // Not state(): a script that revokes (npm run keys) has no cache, and needs no subscription.
  const current = processSlot<KeyState>(STATE_SLOT).value;
  if (current) forgetCheckedKeys(current);
  if (redisConfigured()) await publishRevocation();
  return true;
}

async function publishRevocation(): Promise<void> {
  try {
    const redis = await sharedRedisWhenReady();
    if (!redis) throw new Error("Redis does not answer");
    await redis.publish(redisChannel(REVOCATIONS_CHANNEL), "revoked");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`[api-keys] could not tell the other instances of the revocation (${reason}); they refuse the key within ${KNOWN_KEY_TTL_MS / 1000} s.`);
  }
}
