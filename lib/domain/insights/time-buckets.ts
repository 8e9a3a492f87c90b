import type { MetricsInterval } from "../../contracts/metrics";

/**
 * The time axis of the Insights metrics: which bucket size a range gets and which buckets it has.
 *
 * Buckets are aligned to UTC boundaries (epoch milliseconds divisible by the bucket size: JS time
 * has no leap seconds, and the epoch is a UTC midnight, so days start at 00:00 UTC), ascending,
 * each `[start, start + size)`, every one of them listed, empty ones included. The range is
 * `[from, to)`. A range whose ends fall inside a bucket gets the whole aligned buckets that hold
 * them, but only records inside `[from, to)` count in any bucket; that is why the summary of a
 * range is always exactly the sum of its buckets, partial ones included.
 */
export type BucketInterval = MetricsInterval;
export type RequestedInterval = BucketInterval | "auto";

export const INTERVAL_MS: Record<BucketInterval, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

/**
 * `auto` as Helicone's dashboard chooses: minutes up to 2 hours (the "last hour" view gets 60
 * points), hours up to 7 days (the week view gets 168 points, fine enough to see a slowdown within
 * a day, which 7 daily bars hide), days beyond (30 days → 30 bars).
 */
const AUTO_MINUTE_UP_TO_MS = 2 * INTERVAL_MS.hour;
const AUTO_HOUR_UP_TO_MS = 7 * INTERVAL_MS.day;

/**
 * A day of minutes with its partial ends (1,441), two months of hours, four years of days. More
 * points than this cannot be drawn on a screen, and each bucket costs work and bytes (a grouped
 * timeseries repeats every field per group per bucket).
 */
export const MAX_BUCKETS = 1_500;

export interface BucketPlan {
  interval: BucketInterval;
  intervalMs: number;
  /** the range itself, `[fromMs, toMs)` */
  fromMs: number;
  toMs: number;
  /** the aligned start of the first bucket (≤ fromMs) */
  firstStartMs: number;
  bucketCount: number;
}

export type BucketPlanResult = { ok: true; plan: BucketPlan } | { ok: false; reason: string };

export function autoInterval(rangeMs: number): BucketInterval {
  if (rangeMs <= AUTO_MINUTE_UP_TO_MS) return "minute";
  if (rangeMs <= AUTO_HOUR_UP_TO_MS) return "hour";
  return "day";
}

export function bucketStartOf(timeMs: number, intervalMs: number): number {
  return Math.floor(timeMs / intervalMs) * intervalMs;
}

/** The buckets of `[fromMs, toMs)`; a refusal's reason is written for a 400 answer. */
export function planBuckets(fromMs: number, toMs: number, requested: RequestedInterval): BucketPlanResult {
  if (!isValidTime(fromMs) || !isValidTime(toMs)) return { ok: false, reason: "from and to must be valid times" };
  if (fromMs >= toMs) return { ok: false, reason: `from (${iso(fromMs)}) must be before to (${iso(toMs)})` };
  const interval = requested === "auto" ? autoInterval(toMs - fromMs) : requested;
  const intervalMs = INTERVAL_MS[interval];
  const firstStartMs = bucketStartOf(fromMs, intervalMs);
  // `to` is exclusive: the last bucket is the one holding the range's last millisecond.
  const bucketCount = (bucketStartOf(toMs - 1, intervalMs) - firstStartMs) / intervalMs + 1;
  if (bucketCount > MAX_BUCKETS) {
    return {
      ok: false,
      reason:
        `interval=${interval} over ${iso(fromMs)} – ${iso(toMs)} gives ${bucketCount.toLocaleString("en-US")} buckets; ` +
        `at most ${MAX_BUCKETS.toLocaleString("en-US")} are allowed: choose a shorter range` +
        (interval === "day" ? "" : ` or a longer interval (${interval === "minute" ? "hour or day" : "day"})`),
    };
  }
  return { ok: true, plan: { interval, intervalMs, fromMs, toMs, firstStartMs, bucketCount } };
}

/** Every bucket's start, ascending. */
export function bucketStarts(plan: BucketPlan): number[] {
  return Array.from({ length: plan.bucketCount }, (_, i) => plan.firstStartMs + i * plan.intervalMs);
}

export function isInRange(plan: BucketPlan, timeMs: number): boolean {
  return timeMs >= plan.fromMs && timeMs < plan.toMs;
}

/** The bucket that holds `timeMs`, which must be in the range (see isInRange). */
export function bucketIndexOf(plan: BucketPlan, timeMs: number): number {
  return Math.floor((timeMs - plan.firstStartMs) / plan.intervalMs);
}

function isValidTime(timeMs: number): boolean {
  return !Number.isNaN(new Date(timeMs).getTime());
}

function iso(timeMs: number): string {
  return new Date(timeMs).toISOString();
}
