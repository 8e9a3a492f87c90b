import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TokenBuckets } from "@/lib/auth/token-bucket";

describe("rate limit per API key (token bucket)", () => {
  it("never admits more than the burst plus the rate times the time elapsed", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 100, noNaN: true }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 300 }),
        (perSecond, burst, gapsMs) => {
          const limiter = new TokenBuckets(perSecond, burst);
          let now = 0;
          let admitted = 0;
          for (const gap of gapsMs) {
            now += gap;
            if (limiter.take("key", now) === null) admitted++;
          }
          expect(admitted).toBeLessThanOrEqual(burst + (now / 1000) * perSecond + 1e-9);
        },
      ),
    );
  });

  it("a client that waits the Retry-After it was given is admitted", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.05, max: 50, noNaN: true }), fc.integer({ min: 1, max: 20 }), (perSecond, burst) => {
        const limiter = new TokenBuckets(perSecond, burst);
        let now = 0;
        for (let i = 0; i < burst; i++) expect(limiter.take("key", now)).toBeNull();
        const retryAfterSeconds = limiter.take("key", now);
        expect(retryAfterSeconds).not.toBeNull();
        now += retryAfterSeconds! * 1000;
        expect(limiter.take("key", now)).toBeNull();
      }),
    );
  });

  it("keys have separate budgets, and a rate of 0 turns the limit off", () => {
    const limiter = new TokenBuckets(1, 2);
    expect([limiter.take("a", 0), limiter.take("a", 0), limiter.take("a", 0)]).toEqual([null, null, 1]);
    expect(limiter.take("b", 0)).toBeNull();
    const off = new TokenBuckets(0, 1);
    expect(Array.from({ length: 1000 }, () => off.take("a", 0)).every((r) => r === null)).toBe(true);
  });
});

describe("token buckets past their bound", () => {
  it("forget the key idle longest, not every key at once", () => {
    const limiter = new TokenBuckets(1, 1);
    expect(limiter.take("busy", 0)).toBeNull();
    for (let i = 0; i < 10_000; i++) {
      limiter.take(`idle-${i}`, 0);
      // The busy key keeps being used, so it is never the least recently used one.
      if (i % 1000 === 0) expect(limiter.take("busy", 0)).not.toBeNull();
    }
    expect(limiter.take("busy", 0)).not.toBeNull();
  });
});
