import { readConfig } from "../config";
import { ApiError } from "../http/api-error";

interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

// Only authenticated keys get a bucket, so this bounds memory against many keys, not an attacker.
const MAX_BUCKETS = 10_000;

/**
 * A token bucket per API key: `perSecond` requests a second on average, bursts up to `burst`.
 * Protects the instance (and the other organizations on it) from one runaway client; a refused
 * request is answered 429 with Retry-After before anything is read, forwarded or stored.
 */
export class KeyRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly perSecond: number,
    private readonly burst: number,
  ) {}

  /** Takes one request's token: null when allowed, else the seconds to wait before retrying. */
  take(apiKey: string, nowMs = performance.now()): number | null {
    if (this.perSecond <= 0) return null;
    let bucket = this.buckets.get(apiKey);
    if (!bucket) {
      if (this.buckets.size >= MAX_BUCKETS) this.buckets.clear();
      bucket = { tokens: this.burst, updatedAtMs: nowMs };
      this.buckets.set(apiKey, bucket);
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

// On globalThis: the custom server (ingest) and Next's bundle (read API) each load this module,
// and a key's requests to both count against one bucket.
const holder = globalThis as typeof globalThis & { __tracewellRateLimiter?: KeyRateLimiter };

/** The server's limiter, configured by RATE_LIMIT_PER_SECOND and RATE_LIMIT_BURST. */
export function apiKeyRateLimiter(): KeyRateLimiter {
  if (!holder.__tracewellRateLimiter) {
    const config = readConfig();
    holder.__tracewellRateLimiter = new KeyRateLimiter(config.RATE_LIMIT_PER_SECOND, config.RATE_LIMIT_BURST);
  }
  return holder.__tracewellRateLimiter;
}

/** The 429 to answer when the key is over its rate, or null when it may go ahead. */
export function rateLimitApiKey(apiKey: string): ApiError | null {
  const limiter = apiKeyRateLimiter();
  const retryAfterSeconds = limiter.take(apiKey);
  if (retryAfterSeconds === null) return null;
  return new ApiError(
    "rate_limited",
    `Rate limit exceeded: this API key may make ${limiter.perSecond} requests per second; retry after ${retryAfterSeconds} s.`,
    429,
    { "retry-after": String(retryAfterSeconds) },
  );
}

export function enforceRateLimit(apiKey: string): void {
  const refused = rateLimitApiKey(apiKey);
  if (refused) throw refused;
}
