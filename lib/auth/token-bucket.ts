import { LRUCache } from "lru-cache";

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
