/**
 * The time ranges of the request tables' partitions on PostgreSQL (lib/storage/partitions.ts), as
 * pure arithmetic: which ranges a partition interval cuts time into, which of them existing
 * partitions leave uncovered, and what a partition of a range is called. All times are epoch
 * milliseconds, UTC; a range is half-open, [fromMs, toMs), as PostgreSQL's range bounds are.
 */

/** How much time one partition holds. */
export type PartitionInterval = "day" | "hour";

export interface TimeRange {
  fromMs: number;
  toMs: number;
}

const INTERVAL_MS: Record<PartitionInterval, number> = { day: 86_400_000, hour: 3_600_000 };

/** The length of one partition's range. */
export function intervalMs(interval: PartitionInterval): number {
  return INTERVAL_MS[interval];
}

/** The range of the interval that holds `ms`: a UTC day (or hour) from its first millisecond. */
export function rangeHolding(ms: number, interval: PartitionInterval): TimeRange {
  const length = INTERVAL_MS[interval];
  const fromMs = Math.floor(ms / length) * length;
  return { fromMs, toMs: fromMs + length };
}

/** Every interval range that holds a moment of [fromMs, toMs), oldest first. */
export function rangesBetween(fromMs: number, toMs: number, interval: PartitionInterval): TimeRange[] {
  const ranges: TimeRange[] = [];
  for (let range = rangeHolding(fromMs, interval); range.fromMs < toMs; range = rangeHolding(range.toMs, interval)) ranges.push(range);
  return ranges;
}

/**
 * The parts of the `wanted` ranges that no `existing` range covers, oldest first. Partitions made
 * with another interval (PARTITION_INTERVAL changed) stay as they are: a wanted day that hours
 * already partly cover gets a partition for the rest of the day only. O((w + e) log e).
 */
export function uncoveredRanges(wanted: readonly TimeRange[], existing: readonly TimeRange[]): TimeRange[] {
  const taken = [...existing].sort((a, b) => a.fromMs - b.fromMs);
  const parts: TimeRange[] = [];
  for (const range of [...wanted].sort((a, b) => a.fromMs - b.fromMs)) {
    let fromMs = range.fromMs;
    // the first existing range that ends after this one starts (binary search: ranges never overlap)
    let low = 0;
    let high = taken.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (taken[middle]!.toMs <= fromMs) low = middle + 1;
      else high = middle;
    }
    for (let i = low; i < taken.length && taken[i]!.fromMs < range.toMs; i++) {
      if (taken[i]!.fromMs > fromMs) parts.push({ fromMs, toMs: taken[i]!.fromMs });
      fromMs = Math.max(fromMs, taken[i]!.toMs);
    }
    if (fromMs < range.toMs) parts.push({ fromMs, toMs: range.toMs });
  }
  return parts;
}

/**
 * The name of a table's partition for a range starting at `fromMs`: `Request_p20260107` for one
 * starting at midnight UTC, `Request_p20260107_0600` otherwise. Partitions never overlap, so no
 * two start together and the name is unique.
 */
export function partitionName(table: string, fromMs: number): string {
  const iso = new Date(fromMs).toISOString(); // 2026-01-07T06:00:00.000Z
  const day = iso.slice(0, 10).replaceAll("-", "");
  const time = iso.slice(11, 16).replace(":", "");
  return `${table}_p${day}${time === "0000" ? "" : `_${time}`}`;
}
