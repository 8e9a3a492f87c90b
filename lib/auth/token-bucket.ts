import { LRUCache } from "lru-cache";
import { redisFailed, redisScript, sharedRedis } from "../shared/redis";

interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

// Only authenticated keys get a bucket, so this bounds memory against many keys, not an attacker.
// Past it the bucket idle longest is forgotten; it has most likely refilled, as a new one starts.
const MAX_BUCKETS = 10_000;

/** A token bucket per key: `perSecond` requests a second on average, bursts up to `burst`. */
export class TokenBuckets {
  private readonly buckets: LRUCache<string, Bucket> | null;

  constructor(
    readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.buckets = perSecond > 0 ? new LRUCache({ max: MAX_BUCKETS }) : null;
  }

  /** Takes one request's token: null when allowed, else the seconds to wait before retrying. */
  take(key: string, nowMs = performance.now()): number | null {
    if (!this.buckets) return null;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.burst, updatedAtMs: nowMs };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((nowMs - bucket.updatedAtMs) / 1000) * this.perSecond);
    bucket.updatedAtMs = nowMs;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return null;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
  }
}

/**
 * The same bucket kept in Redis, one per key for every instance using it: read, refilled and
 * taken in one Lua script, so two instances can never both spend the last token, and timed by
 * Redis' own clock (TIME), so the instances' clocks do not matter. Returns -1 when a token was
 * taken, else the whole seconds to wait. A bucket expires once it would be full again: a missing
 * bucket is a full one.
 */
const takeSharedToken = redisScript(
  "tracewellTakeToken",
  `local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local bucket = redis.call("HMGET", KEYS[1], "tokens", "at")
local tokens = burst
if bucket[1] then tokens = math.min(burst, tonumber(bucket[1]) + math.max(0, now - tonumber(bucket[2])) / 1000000 * rate) end
local wait = -1
if tokens >= 1 then tokens = tokens - 1 else wait = math.max(1, math.ceil((1 - tokens) / rate)) end
redis.call("HSET", KEYS[1], "tokens", tokens, "at", now)
redis.call("PEXPIRE", KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return wait`,
  1,
);

/**
 * The rate limit per API key: with REDIS_URL, one budget across every instance (the bucket in
 * Redis above: one round trip a call); without it, or while Redis cannot answer, this process's
 * own buckets (then each instance admits its own burst: fail open, never a refused call because
 * Redis is away).
 */
export class KeyRateLimit {
  private readonly local: TokenBuckets;

  constructor(
    readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.local = new TokenBuckets(perSecond, burst);
  }

  /** Takes one request's token: null when allowed, else the seconds to wait before retrying. */
  async take(key: string): Promise<number | null> {
    if (this.perSecond <= 0) return null;
    const redis = sharedRedis();
    if (redis) {
      try {
        const wait = Number(await takeSharedToken(redis, `rate:${key}`, this.perSecond, this.burst));
        return wait < 0 ? null : wait;
      } catch (error) {
        redisFailed("the shared rate limit", error);
      }
    }
    return this.local.take(key);
  }
}
