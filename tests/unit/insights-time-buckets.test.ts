import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { autoInterval, bucketIndexOf, bucketStarts, INTERVAL_MS, MAX_BUCKETS, planBuckets, type BucketPlan } from "@/lib/domain/insights/time-buckets";
import { referenceBucketStarts } from "../helpers/metrics-reference";

const HOUR = 3_600_000;
const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);

function plan(from: string | number, to: string | number, interval: Parameters<typeof planBuckets>[2] = "auto"): BucketPlan {
  const result = planBuckets(typeof from === "string" ? at(from) : from, typeof to === "string" ? at(to) : to, interval);
  if (!result.ok) throw new Error(result.reason);
  return result.plan;
}

const iso = (ms: number) => new Date(ms).toISOString();

describe("bucket size for a range", () => {
  it("auto gives minutes up to 2 hours, hours up to 7 days, days beyond", () => {
    expect(autoInterval(HOUR)).toBe("minute");
    expect(autoInterval(2 * HOUR)).toBe("minute");
    expect(autoInterval(2 * HOUR + 1)).toBe("hour");
    expect(autoInterval(DAY)).toBe("hour");
    expect(autoInterval(7 * DAY)).toBe("hour");
    expect(autoInterval(7 * DAY + 1)).toBe("day");
    expect(autoInterval(30 * DAY)).toBe("day");
  });

  it("the dashboard's ranges get 60 minutes, 24 hours, 168 hours and 30 days when aligned", () => {
    expect(plan("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z").bucketCount).toBe(60);
    expect(plan("2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z").bucketCount).toBe(24);
    expect(plan("2026-03-01T00:00:00Z", "2026-03-08T00:00:00Z").bucketCount).toBe(168);
    const month = plan("2026-03-01T00:00:00Z", "2026-03-31T00:00:00Z");
    expect([month.interval, month.bucketCount]).toEqual(["day", 30]);
  });

  it("an explicit interval is kept", () => {
    expect(plan("2026-03-01T00:00:00Z", "2026-03-31T00:00:00Z", "hour").interval).toBe("hour");
  });
});

describe("bucket boundaries", () => {
  it("an unaligned last 24 hours gets the partial hours at both ends: 25 hourly buckets from the hour holding `from`", () => {
    const p = plan("2026-03-01T10:17:42.123Z", "2026-03-02T10:17:42.123Z");
    const starts = bucketStarts(p).map(iso);
    expect(starts).toHaveLength(25);
    expect(starts[0]).toBe("2026-03-01T10:00:00.000Z");
    expect(starts.at(-1)).toBe("2026-03-02T10:00:00.000Z");
  });

  it("`to` is exclusive: [10:00, 11:00) is one hourly bucket, [10:00, 11:00:00.001) two", () => {
    expect(plan("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z", "hour").bucketCount).toBe(1);
    expect(plan("2026-03-01T10:00:00Z", "2026-03-01T11:00:00.001Z", "hour").bucketCount).toBe(2);
  });

  it("days start at midnight UTC", () => {
    const p = plan("2026-03-01T23:30:00Z", "2026-03-03T00:30:00Z", "day");
    expect(bucketStarts(p).map(iso)).toEqual(["2026-03-01T00:00:00.000Z", "2026-03-02T00:00:00.000Z", "2026-03-03T00:00:00.000Z"]);
  });

  it("every millisecond of the range falls in exactly the bucket whose [start, start + size) holds it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.integer({ min: 1, max: 60 * DAY }),
        fc.constantFrom("auto", "minute", "hour", "day" as const),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (fromMs, spanMs, interval, where) => {
          const result = planBuckets(fromMs, fromMs + spanMs, interval);
          if (!result.ok) return;
          const p = result.plan;
          const starts = bucketStarts(p);
          expect(starts).toEqual(referenceBucketStarts(p.fromMs, p.toMs, p.interval));
          for (const start of starts) expect(start % INTERVAL_MS[p.interval]).toBe(0);
          const timeMs = fromMs + Math.floor(where * spanMs);
          const start = starts[bucketIndexOf(p, timeMs)]!;
          expect(timeMs).toBeGreaterThanOrEqual(start);
          expect(timeMs).toBeLessThan(start + p.intervalMs);
        },
      ),
    );
  });
});

describe("ranges refused with a reason for the caller", () => {
  it("minute buckets over 30 days are too many, and the reason says what to do", () => {
    const result = planBuckets(at("2026-03-01T00:00:00Z"), at("2026-03-31T00:00:00Z"), "minute");
    expect(result).toEqual({
      ok: false,
      reason:
        "interval=minute over 2026-03-01T00:00:00.000Z – 2026-03-31T00:00:00.000Z gives 43,200 buckets; " +
        "at most 1,500 are allowed: choose a shorter range or a longer interval (hour or day)",
    });
  });

  it("a day of minutes, even unaligned, is allowed", () => {
    const p = plan("2026-03-01T10:17:42Z", "2026-03-02T10:17:42Z", "minute");
    expect(p.bucketCount).toBe(1441);
    expect(p.bucketCount).toBeLessThanOrEqual(MAX_BUCKETS);
  });

  it("`from` must come before `to`", () => {
    expect(planBuckets(at("2026-03-02T00:00:00Z"), at("2026-03-01T00:00:00Z"), "auto")).toEqual({
      ok: false,
      reason: "from (2026-03-02T00:00:00.000Z) must be before to (2026-03-01T00:00:00.000Z)",
    });
    expect(planBuckets(at("2026-03-01T00:00:00Z"), at("2026-03-01T00:00:00Z"), "auto").ok).toBe(false);
  });

  it("times that are not times are refused, not thrown on", () => {
    expect(planBuckets(Number.NaN, 0, "auto")).toEqual({ ok: false, reason: "from and to must be valid times" });
    expect(planBuckets(0, 9e15, "day")).toEqual({ ok: false, reason: "from and to must be valid times" });
  });
});
