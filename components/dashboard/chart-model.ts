import type { MetricsFigures, MetricsInterval, MetricsTimeseries } from "@/lib/contracts/metrics";
import { INTERVAL_MS } from "@/lib/domain/insights/time-buckets";
import type { Slice } from "./requests-links";

/**
 * What each dashboard chart draws, built from the metrics API's timeseries: the series (label,
 * colour, the Requests slice each of its points stands for) and one value per series and bucket.
 * The chart, its tooltip and its data table all read this one model. Pure.
 */
export interface ChartSeries {
  /** recharts' dataKey: a plain name, as a model name's dots would read as a path */
  key: string;
  label: string;
  color: string;
  /** the requests behind a point of this series, within its bucket; null when no Requests filter selects them ("Other models") */
  slice: Slice | null;
}

export interface ChartPoint {
  startMs: number;
  /** one per series, in the series' order; null where there is nothing to measure (a percentile of no requests) */
  values: Array<number | null>;
}

export interface TimeChartModel {
  interval: MetricsInterval;
  intervalMs: number;
  series: ChartSeries[];
  points: ChartPoint[];
}

/** Grouped charts draw the largest groups and gather the rest, so that colours stay tellable apart. */
export const MAX_GROUP_SERIES = 8;

const PALETTE = ["#6366f1", "#0ea5e9", "#14b8a6", "#f59e0b", "#ec4899", "#8b5cf6", "#84cc16", "#f97316"];
const OTHER_COLOR = "#94a3b8";

export function requestsChart(timeseries: MetricsTimeseries): TimeChartModel {
  return plainChart(
    timeseries,
    [
      { key: "ok", label: "OK", color: "#10b981", slice: { status: "ok" } },
      { key: "errors", label: "Errors", color: "#ef4444", slice: { status: "error" } },
    ],
    (bucket) => [bucket.requests - bucket.errors, bucket.errors],
  );
}

export function latencyChart(timeseries: MetricsTimeseries): TimeChartModel {
  return plainChart(
    timeseries,
    [
      { key: "p50", label: "p50", color: "#0ea5e9", slice: {} },
      { key: "p95", label: "p95", color: "#6366f1", slice: {} },
      { key: "p99", label: "p99", color: "#ec4899", slice: {} },
    ],
    (bucket) => [bucket.latencyMs.p50, bucket.latencyMs.p95, bucket.latencyMs.p99],
  );
}

export function tokensChart(timeseries: MetricsTimeseries): TimeChartModel {
  return plainChart(
    timeseries,
    [
      { key: "in", label: "Tokens in", color: "#0ea5e9", slice: {} },
      { key: "out", label: "Tokens out", color: "#8b5cf6", slice: {} },
    ],
    (bucket) => [bucket.promptTokens, bucket.completionTokens],
  );
}

/** From a timeseries grouped by model. */
export function costByModelChart(timeseries: MetricsTimeseries): TimeChartModel {
  return groupedChart(timeseries, {
    measure: (group) => group.cost,
    include: () => true,
    slice: (model) => ({ model }),
    missingLabel: "(no model)",
    otherLabel: "Other models",
  });
}

/** From a timeseries grouped by status: the failed ones (not 2xx), as the error count has them. */
export function errorsByStatusChart(timeseries: MetricsTimeseries): TimeChartModel {
  return groupedChart(timeseries, {
    measure: (group) => group.requests,
    include: (status) => !isSuccess(status),
    slice: (status) => ({ status }),
    missingLabel: "(no status)",
    otherLabel: "Other statuses",
  });
}

function plainChart(timeseries: MetricsTimeseries, series: ChartSeries[], values: (bucket: MetricsFigures) => Array<number | null>): TimeChartModel {
  return {
    interval: timeseries.interval,
    intervalMs: INTERVAL_MS[timeseries.interval],
    series,
    points: timeseries.buckets.map((bucket) => ({ startMs: Date.parse(bucket.start), values: values(bucket) })),
  };
}

interface GroupedSpec {
  measure: (group: MetricsFigures) => number;
  include: (key: string) => boolean;
  slice: (key: string) => Slice;
  missingLabel: string;
  otherLabel: string;
}

/**
 * One series per group key, largest total first (ties by key, so colours stay put between
 * refreshes); beyond MAX_GROUP_SERIES, the smallest are summed into one "other" series. Each
 * bucket's values add up to the bucket's measure over the included groups.
 */
function groupedChart(timeseries: MetricsTimeseries, spec: GroupedSpec): TimeChartModel {
  const totals = new Map<string | null, number>();
  for (const bucket of timeseries.buckets) {
    for (const group of bucket.groups ?? []) {
      if (group.key !== null && !spec.include(group.key)) continue;
      totals.set(group.key, (totals.get(group.key) ?? 0) + spec.measure(group));
    }
  }
  const ranked = [...totals.entries()].filter(([, total]) => total > 0).sort(([a, x], [b, y]) => y - x || compareKeys(a, b));
  const shown = ranked.length > MAX_GROUP_SERIES ? ranked.slice(0, MAX_GROUP_SERIES - 1) : ranked;
  const hasOther = shown.length < ranked.length;
  const indexOf = new Map(shown.map(([key], i) => [key, i]));
  const series: ChartSeries[] = shown.map(([key], i) => ({
    key: `s${i}`,
    label: key ?? spec.missingLabel,
    color: key === null ? OTHER_COLOR : PALETTE[i % PALETTE.length]!,
    slice: key === null ? null : spec.slice(key),
  }));
  if (hasOther) series.push({ key: "other", label: spec.otherLabel, color: OTHER_COLOR, slice: null });

  return {
    interval: timeseries.interval,
    intervalMs: INTERVAL_MS[timeseries.interval],
    series,
    points: timeseries.buckets.map((bucket) => {
      const values = series.map(() => 0);
      for (const group of bucket.groups ?? []) {
        if (group.key !== null && !spec.include(group.key)) continue;
        const index = indexOf.get(group.key) ?? (hasOther ? series.length - 1 : undefined);
        if (index !== undefined) values[index]! += spec.measure(group);
      }
      return { startMs: Date.parse(bucket.start), values };
    }),
  };
}

function isSuccess(status: string): boolean {
  return /^2\d\d$/.test(status);
}

function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
