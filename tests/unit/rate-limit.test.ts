import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeyRateLimiter } from "@/lib/ingest/rate-limit";

describe("rate limit per API key (token bucket)", () => {
  it("never admits more than the burst plus the rate times the time elapsed", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 100, noNaN: true }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 300 }),
        (perSecond, burst, gapsMs) => {
          const limiter = new KeyRateLimiter(perSecond, burst);
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
        const limiter = new KeyRateLimiter(perSecond, burst);
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
    const limiter = new KeyRateLimiter(1, 2);
    expect([limiter.take("a", 0), limiter.take("a", 0), limiter.take("a", 0)]).toEqual([null, null, 1]);
    expect(limiter.take("b", 0)).toBeNull();
    const off = new KeyRateLimiter(0, 1);
    expect(Array.from({ length: 1000 }, () => off.take("a", 0)).every((r) => r === null)).toBe(true);
  });
});
