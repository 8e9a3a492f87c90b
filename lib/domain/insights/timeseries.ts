import type { MetricsTimeseries } from "../../contracts/metrics";
import { dimensionValue, type Dimension, type GroupKey } from "./dimensions";
import { aggregateFor, groupsByKey, mergeGroups, type GroupedAggregates } from "./grouped-aggregates";
import { addRecord, emptyAggregate, mergeInto, toFigures, type MetricsAggregate, type MetricsRecord } from "./metrics-aggregate";
import { bucketIndexOf, bucketStarts, isInRange, type BucketPlan } from "./time-buckets";

/**
 * Folds requests, or totals already kept for pieces of time (rollups), into a range's buckets,
 * grouped by one dimension or not. Both kinds can be mixed: rollups for the whole hours of a
 * range, the requests themselves for its ragged ends. The summary is the merge of the very
 * aggregates the buckets report, so the two agree exactly.
 */
export class TimeseriesAccumulator {
  private readonly buckets: GroupedAggregates[];

  constructor(
    readonly plan: BucketPlan,
    /** null: one group per bucket, and the timeseries lists no groups */
    readonly groupBy: Dimension | null,
  ) {
    this.buckets = Array.from({ length: plan.bucketCount }, () => new Map());
  }

  /** A request outside `[from, to)` is not counted: false then. */
  addRecord(record: MetricsRecord): boolean {
    if (!isInRange(this.plan, record.startMs)) return false;
    const key = this.groupBy ? dimensionValue(record, this.groupBy) : null;
    addRecord(aggregateFor(this.buckets[bucketIndexOf(this.plan, record.startMs)]!, key), record);
    return true;
  }

  /**
   * Merges the totals of the requests in `[startMs, startMs + durationMs)` (with `key`, the
   * dimension's value, when grouped). The piece must lie inside the range and inside one bucket:
   * a piece that straddled `from` would count requests before it, so it is refused.
   */
  addRollup(startMs: number, durationMs: number, key: GroupKey, aggregate: MetricsAggregate): void {
    const endMs = startMs + durationMs;
    if (startMs < this.plan.fromMs || endMs > this.plan.toMs || durationMs <= 0) {
      throw new RangeError(`rollup [${startMs}, ${endMs}) is not inside the range [${this.plan.fromMs}, ${this.plan.toMs})`);
    }
    const index = bucketIndexOf(this.plan, startMs);
    if (bucketIndexOf(this.plan, endMs - 1) !== index) throw new RangeError(`rollup [${startMs}, ${endMs}) spans two ${this.plan.interval} buckets`);
    mergeInto(aggregateFor(this.buckets[index]!, this.groupBy ? key : null), aggregate);
  }

  /** Everything added: the summary's aggregate. */
  total(): MetricsAggregate {
    const total = emptyAggregate();
    for (const groups of this.buckets) mergeInto(total, mergeGroups(groups));
    return total;
  }

  timeseries(): MetricsTimeseries {
    const starts = bucketStarts(this.plan);
    return {
      interval: this.plan.interval,
      buckets: this.buckets.map((groups, i) => {
        const start = new Date(starts[i]!).toISOString();
        const figures = toFigures(mergeGroups(groups));
        if (!this.groupBy) return { start, ...figures };
        return { start, ...figures, groups: groupsByKey(groups).map(([key, aggregate]) => ({ key, ...toFigures(aggregate) })) };
      }),
    };
  }
}
