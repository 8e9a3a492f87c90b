import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { partitionName, rangeHolding, rangesBetween, uncoveredRanges, type TimeRange } from "@/lib/domain/partition-ranges";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);

describe("partition ranges", () => {
  it("a day is a UTC day and an hour a UTC hour, from their first millisecond", () => {
    expect(rangeHolding(at("2026-01-07T23:59:59.999Z"), "day")).toEqual({ fromMs: at("2026-01-07T00:00:00Z"), toMs: at("2026-01-08T00:00:00Z") });
    expect(rangeHolding(at("2026-01-07T00:00:00Z"), "day").fromMs).toBe(at("2026-01-07T00:00:00Z"));
    expect(rangeHolding(at("2026-01-07T06:30:00Z"), "hour")).toEqual({ fromMs: at("2026-01-07T06:00:00Z"), toMs: at("2026-01-07T07:00:00Z") });
    // before 1970 too (a bad clock's record still has a range)
    expect(rangeHolding(at("1969-12-31T12:00:00Z"), "day").fromMs).toBe(at("1969-12-31T00:00:00Z"));
  });

  it("the ranges between two moments are every day either holds or spans", () => {
    const ranges = rangesBetween(at("2026-01-07T12:00:00Z"), at("2026-01-14T12:00:00Z"), "day");
    expect(ranges.map((range) => new Date(range.fromMs).toISOString().slice(0, 10))).toEqual([
      "2026-01-07", "2026-01-08", "2026-01-09", "2026-01-10", "2026-01-11", "2026-01-12", "2026-01-13", "2026-01-14",
    ]);
    expect(rangesBetween(at("2026-01-07T12:00:00Z"), at("2026-01-08T00:00:00Z"), "hour")).toHaveLength(12);
  });

  it("names a partition by its first day, and its hour when it starts after midnight", () => {
    expect(partitionName("Request", at("2026-01-07T00:00:00Z"))).toBe("Request_p20260107");
    expect(partitionName("RequestBody", at("2026-01-07T06:00:00Z"))).toBe("RequestBody_p20260107_0600");
  });

  it("leaves out what partitions already cover, whatever interval made them", () => {
    const day = rangeHolding(at("2026-01-07T00:00:00Z"), "day");
    const hours = rangesBetween(at("2026-01-07T00:00:00Z"), at("2026-01-07T06:00:00Z"), "hour");
    // hours 0–5 exist (PARTITION_INTERVAL was hour): the day gets a partition for its rest only
    expect(uncoveredRanges([day], hours)).toEqual([{ fromMs: at("2026-01-07T06:00:00Z"), toMs: day.toMs }]);
    // days exist (it was day): hours inside them need nothing
    expect(uncoveredRanges(rangesBetween(day.fromMs, day.toMs, "hour"), [day])).toEqual([]);
    expect(uncoveredRanges([day], [])).toEqual([day]);
    // a hole in the middle
    expect(uncoveredRanges([day], [{ fromMs: day.fromMs, toMs: day.fromMs + HOUR }, { fromMs: day.fromMs + 3 * HOUR, toMs: day.toMs }])).toEqual([
      { fromMs: day.fromMs + HOUR, toMs: day.fromMs + 3 * HOUR },
    ]);
  });

  it("the uncovered parts and the existing ranges cover every wanted moment once, and nothing else is made", () => {
    const rangeArb = fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 10 })).map(([from, length]) => ({ fromMs: from * HOUR, toMs: (from + length) * HOUR }));
    // existing partitions never overlap: keep each range only if it overlaps none kept before
    const disjoint = (ranges: TimeRange[]) => ranges.reduce<TimeRange[]>((kept, r) => (kept.some((k) => k.fromMs < r.toMs && r.fromMs < k.toMs) ? kept : [...kept, r]), []);
    fc.assert(
      fc.property(fc.array(rangeArb, { maxLength: 8 }).map(disjoint), fc.array(rangeArb, { maxLength: 8 }).map(disjoint), (existing, wanted) => {
        const made = uncoveredRanges(wanted, existing);
        for (let hour = 0; hour < 80; hour++) {
          const t = hour * HOUR + 1;
          const holders = (ranges: TimeRange[]) => ranges.filter((r) => r.fromMs <= t && t < r.toMs).length;
          expect(holders(made) + holders(existing)).toBe(holders(existing) > 0 || holders(wanted) > 0 ? 1 : 0);
          if (holders(made) > 0) expect(holders(wanted)).toBeGreaterThan(0);
        }
      }),
    );
  });

  it("a week ahead is eight days: today's and the seven after", () => {
    expect(rangesBetween(rangeHolding(at("2026-01-07T09:00:00Z"), "day").fromMs, at("2026-01-07T09:00:00Z") + 7 * DAY, "day")).toHaveLength(8);
  });
});
