/**
 * GET /api/v1/metrics/{summary,timeseries,top}: the response bodies, declared once for the server
 * that writes them and the dashboard that reads them. Pure types and constants.
 *
 * Costs are USD; `costComplete` is false when any request in the slice has an unknown price, and
 * the cost is then the sum of the known ones. Percentiles are over every request in the slice,
 * failed ones included, within 1 % of a value at that rank (see latency-sketch.ts); null when the
 * slice is empty.
 */
export const METRICS_INTERVALS = ["minute", "hour", "day"] as const;
export type MetricsInterval = (typeof METRICS_INTERVALS)[number];

export const METRICS_ORDERS = ["cost", "requests", "latencyP95"] as const;
export type MetricsOrder = (typeof METRICS_ORDERS)[number];

/** groupBy / by: these, or `property.<key>` */
export const METRICS_PLAIN_DIMENSIONS = ["model", "provider", "status", "userId", "sessionId"] as const;
export type MetricsPlainDimension = (typeof METRICS_PLAIN_DIMENSIONS)[number];

export interface LatencyPercentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** What a summary, a bucket and a group all report. */
export interface MetricsFigures {
  requests: number;
  /** status outside 2xx, as the Requests page's status=error */
  errors: number;
  cost: number;
  costComplete: boolean;
  /** usage roll-up spans left out: their tokens repeat the calls below them */
  promptTokens: number;
  completionTokens: number;
  latencyMs: LatencyPercentiles;
}

export interface MetricsSummary extends MetricsFigures {
  timeToFirstTokenMs: { p50: number | null; p95: number | null };
  /** distinct trace ids; untraced requests don't count */
  traces: number;
  users: number;
  sessions: number;
  /** each trace's cost in the slice: median and p95 over the traces, exact */
  costPerTrace: { p50: number | null; p95: number | null };
  /** the cost of failed and cancelled requests and of attempts a retry replaced (wasted-spend.ts) */
  wastedCost: number;
}

/** One value of the groupBy dimension; null gathers the requests that have none, so groups add up to their bucket. */
export interface MetricsGroup extends MetricsFigures {
  key: string | null;
}

export interface MetricsBucket extends MetricsFigures {
  /** ISO 8601 UTC; the bucket is [start, start + interval) */
  start: string;
  /** with groupBy: the bucket's non-empty groups, by key (null last) */
  groups?: MetricsGroup[];
}

export interface MetricsTimeseries {
  interval: MetricsInterval;
  buckets: MetricsBucket[];
}

export interface MetricsTopRow {
  key: string;
  requests: number;
  errors: number;
  cost: number;
  costComplete: boolean;
  latencyMs: { p95: number | null };
}

export interface MetricsTop {
  by: string;
  order: MetricsOrder;
  rows: MetricsTopRow[];
}
