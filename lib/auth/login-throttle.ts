/**
 * Failed dashboard sign-ins per e-mail address: after MAX_FAILURES within WINDOW_MS, further
 * attempts for that address are refused without checking the password until the oldest failure
 * leaves the window, so a password cannot be guessed at the speed the server can hash. A success
 * clears the address's count. Per address, not per IP: guesses spread over many IPs still count.
 * With REDIS_URL the failures are counted in Redis, so guesses spread over several instances
 * count together; without it, or while Redis cannot answer, each process counts its own.
 */
import { createHash, randomUUID } from "node:crypto";
import { LRUCache } from "lru-cache";
import { processSingleton } from "../shared/process-slot";
import { redisFailed, redisScript, sharedRedis } from "../shared/redis";

const MAX_FAILURES = 10;
const WINDOW_MS = 15 * 60_000;
const MAX_TRACKED = 10_000;

/** Seconds until this address may try again, or null when it may try now (shared across instances with Redis). */
export async function signInBlockedFor(email: string): Promise<number | null> {
  const shared = await sharedFailures(email, false);
  return shared ? blockedFor(shared) : loginBlockedFor(email);
}

/** Counts a failed sign-in for this address (across instances with Redis). */
export async function countSignInFailure(email: string): Promise<void> {
  if (!(await sharedFailures(email, true))) recordLoginFailure(email);
}

/** A successful sign-in clears the address's count (everywhere with Redis). */
export async function clearSignInFailures(email: string): Promise<void> {
  const redis = sharedRedis();
  try {
    if (redis) await redis.del(redisKeyOf(email));
  } catch (error) {
    redisFailed("the shared sign-in throttle", error);
  }
  recordLoginSuccess(email);
}

// ---- this process's own count (no Redis, or Redis away) -----------------------------------------

// One per process: module copies in Next's bundles (route handler, server action) share one count.
// An address is forgotten once its last failure has left the window, or when it is the one idle
// longest among MAX_TRACKED.
const failures = () => processSingleton("login-failures", () => new LRUCache<string, number[]>({ max: MAX_TRACKED, ttl: WINDOW_MS }));

/** Seconds until this address may try again by this process's count, or null when it may try now. */
export function loginBlockedFor(email: string, now = Date.now()): number | null {
  const recent = recentFailures(email, now);
  return blockedFor({ count: recent.length, oldestMs: recent[0] ?? 0, nowMs: now });
}

export function recordLoginFailure(email: string, now = Date.now()): void {
  failures().set(keyOf(email), [...recentFailures(email, now), now]);
}

export function recordLoginSuccess(email: string): void {
  failures().delete(keyOf(email));
}

function recentFailures(email: string, now: number): number[] {
  return (failures().get(keyOf(email)) ?? []).filter((at) => at > now - WINDOW_MS);
}

function keyOf(email: string): string {
  return email.trim().toLowerCase();
}

interface RecentFailures {
  count: number;
  oldestMs: number;
  nowMs: number;
}

function blockedFor({ count, oldestMs, nowMs }: RecentFailures): number | null {
  if (count < MAX_FAILURES) return null;
  return Math.ceil((oldestMs + WINDOW_MS - nowMs) / 1000);
}

// ---- the count shared through Redis -------------------------------------------------------------

/**
 * One sorted set per address (failure times as scores, on Redis' clock), trimmed to the window
 * and expiring with it; ARGV[2] = "1" records a failure first. Returns the count, the oldest
 * failure and Redis' now, in milliseconds.
 */
const failuresScript = redisScript(
  "tracewellSignInFailures",
  `local window = tonumber(ARGV[1])
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now - window)
if ARGV[2] == "1" then
  redis.call("ZADD", KEYS[1], now, ARGV[3])
  redis.call("PEXPIRE", KEYS[1], window)
end
local oldest = redis.call("ZRANGE", KEYS[1], 0, 0, "WITHSCORES")
return {redis.call("ZCARD", KEYS[1]), tonumber(oldest[2] or "0"), now}`,
  1,
);

/** The address's recent failures in Redis (recording one first when asked); null: no Redis right now. */
async function sharedFailures(email: string, recordFailure: boolean): Promise<RecentFailures | null> {
  const redis = sharedRedis();
  if (!redis) return null;
  try {
    const [count, oldestMs, nowMs] = (await failuresScript(redis, redisKeyOf(email), WINDOW_MS, recordFailure ? "1" : "0", randomUUID())) as number[];
    return { count: Number(count), oldestMs: Number(oldestMs), nowMs: Number(nowMs) };
  } catch (error) {
    redisFailed("the shared sign-in throttle", error);
    return null;
  }
}

// Addresses are kept hashed: Redis need not hold who tried to sign in.
function redisKeyOf(email: string): string {
  return `sign-in-failures:${createHash("sha256").update(keyOf(email)).digest("hex")}`;
}
