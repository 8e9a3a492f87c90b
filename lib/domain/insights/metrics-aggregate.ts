import type { MetricsFigures, MetricsSummary } from "../../contracts/metrics";
import { picoToUsd, usdToPico, type PicoUsd } from "../money";
import { isSuccessStatus } from "../request-status";
import { isWasted } from "../wasted-spend";
import { LatencySketch } from "./latency-sketch";

/** The part of a stored request the metrics read. Times are epoch milliseconds. */
export interface MetricsRecord {
  startMs: number;
  status: number;
  cancelled: boolean;
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  costUsd: number | null;
  costUnknown: boolean;
  /**
   * an OTLP span whose usage repeats the LLM calls below it: it counts as a request (the Requests
   * page lists it) with its status and latency, but its tokens and cost are its children's
   */
  usageRollup: boolean;
  /** a retry on the same trace node replaced this attempt (replacedAttemptIds) */
  replaced: boolean;
  traceId: string | null;
  model: string | null;
  provider: string;
  userId: string | null;
  sessionId: string | null;
  /** keys lower-cased, as stored */
  properties: Record<string, string>;
}

/** What one request adds to the totals: plain sums, exact, in any order. */
export interface MetricsCounters {
  requests: number;
  errors: number;
  costPicoUsd: PicoUsd;
  /** requests whose price is unknown: the cost is then a lower bound */
  costUnknownRequests: number;
  promptTokens: number;
  completionTokens: number;
  wastedCostPicoUsd: PicoUsd;
}

/**
 * Totals over any set of requests that merge: two aggregates of disjoint sets merge into exactly
 * the aggregate of their union (counters add; sketches add bin counts), in any order or grouping.
 * That is what lets totals be kept per time bucket and dimension as requests arrive, late or out
 * of order, and still answer any range exactly. Aggregates are accumulators and change in place
 * (a copy per added request would make a million-row fold allocate a million sketches).
 */
export interface MetricsAggregate extends MetricsCounters {
  latencyMs: LatencySketch;
  /** streamed requests only: the others have no first token */
  timeToFirstTokenMs: LatencySketch;
}

export function emptyAggregate(): MetricsAggregate {
  return { ...zeroCounters(), latencyMs: LatencySketch.empty(), timeToFirstTokenMs: LatencySketch.empty() };
}

export function recordCounters(record: MetricsRecord): MetricsCounters {
  const priced = !record.usageRollup;
  const costPicoUsd = priced && record.costUsd !== null ? usdToPico(record.costUsd) : 0n;
  return {
    requests: 1,
    errors: isSuccessStatus(record.status) ? 0 : 1,
    costPicoUsd,
    costUnknownRequests: priced && (record.costUnknown || record.costUsd === null) ? 1 : 0,
    promptTokens: priced ? (record.promptTokens ?? 0) : 0,
    completionTokens: priced ? (record.completionTokens ?? 0) : 0,
    wastedCostPicoUsd: isWasted(record) ? costPicoUsd : 0n,
  };
}

/**
 * What kept totals must add when a stored request changes after it was counted (a later retry
 * replaced it; it became a usage roll-up); negative where they must subtract. Latency and status
 * never change after the write, so the sketches need no correction.
 */
export function countersChange(before: MetricsRecord, after: MetricsRecord): MetricsCounters {
  const was = recordCounters(before);
  const is = recordCounters(after);
  return {
    requests: is.requests - was.requests,
    errors: is.errors - was.errors,
    costPicoUsd: is.costPicoUsd - was.costPicoUsd,
    costUnknownRequests: is.costUnknownRequests - was.costUnknownRequests,
    promptTokens: is.promptTokens - was.promptTokens,
    completionTokens: is.completionTokens - was.completionTokens,
    wastedCostPicoUsd: is.wastedCostPicoUsd - was.wastedCostPicoUsd,
  };
}

export function addCounters(target: MetricsCounters, counters: MetricsCounters): void {
  target.requests += counters.requests;
  target.errors += counters.errors;
  target.costPicoUsd += counters.costPicoUsd;
  target.costUnknownRequests += counters.costUnknownRequests;
  target.promptTokens += counters.promptTokens;
  target.completionTokens += counters.completionTokens;
  target.wastedCostPicoUsd += counters.wastedCostPicoUsd;
}

/** Adds one request; returns what it added to the counters (its cost, for a per-trace sum). */
export function addRecord(target: MetricsAggregate, record: MetricsRecord): MetricsCounters {
  const counters = recordCounters(record);
  addCounters(target, counters);
  target.latencyMs.add(record.latencyMs);
  if (record.timeToFirstTokenMs !== null) target.timeToFirstTokenMs.add(record.timeToFirstTokenMs);
  return counters;
}

/** Adds `source` into `target`; `source` is unchanged. */
export function mergeInto(target: MetricsAggregate, source: MetricsAggregate): void {
  addCounters(target, source);
  target.latencyMs.merge(source.latencyMs);
  target.timeToFirstTokenMs.merge(source.timeToFirstTokenMs);
}

/**
 * The aggregate of `total`'s requests that are not `part`'s, `part` being some of them (the
 * requests without a property: all of them but those with one of its values). Exact: counters
 * subtract, and so do sketches (LatencySketch.minus). Neither input changes.
 */
export function aggregateMinus(total: MetricsAggregate, part: MetricsAggregate): MetricsAggregate {
  const negated = negatedCounters(part);
  const rest: MetricsAggregate = { ...zeroCounters(), latencyMs: total.latencyMs.minus(part.latencyMs), timeToFirstTokenMs: total.timeToFirstTokenMs.minus(part.timeToFirstTokenMs) };
  addCounters(rest, total);
  addCounters(rest, negated);
  return rest;
}

/** The counters with every sign turned: what takes `counters` out of a total. */
export function negatedCounters(counters: MetricsCounters): MetricsCounters {
  return {
    requests: -counters.requests,
    errors: -counters.errors,
    costPicoUsd: -counters.costPicoUsd,
    costUnknownRequests: -counters.costUnknownRequests,
    promptTokens: -counters.promptTokens,
    completionTokens: -counters.completionTokens,
    wastedCostPicoUsd: -counters.wastedCostPicoUsd,
  };
}

/** A new aggregate of both; neither input changes. */
export function mergeAggregates(a: MetricsAggregate, b: MetricsAggregate): MetricsAggregate {
  const merged = emptyAggregate();
  mergeInto(merged, a);
  mergeInto(merged, b);
  return merged;
}

export function toFigures(aggregate: MetricsAggregate): MetricsFigures {
  const latency = aggregate.latencyMs;
  return {
    requests: aggregate.requests,
    errors: aggregate.errors,
    cost: picoToUsd(aggregate.costPicoUsd),
    costComplete: aggregate.costUnknownRequests === 0,
    promptTokens: aggregate.promptTokens,
    completionTokens: aggregate.completionTokens,
    latencyMs: { p50: latency.quantile(0.5), p95: latency.quantile(0.95), p99: latency.quantile(0.99) },
  };
}

/**
 * The figures that need the slice's ids rather than its totals: a trace (user, session) with
 * requests in two buckets is one trace, so distinct counts cannot be summed from per-bucket ones,
 * and a trace's cost is the sum of its requests in the slice, wherever they fall.
 */
export interface DistinctFigures {
  traces: number;
  users: number;
  sessions: number;
  costPerTrace: { p50: number | null; p95: number | null };
}

/** Exact, from each trace's cost in the slice; the same lower quantile as the sketches answer. */
export function costPerTraceQuantiles(traceCosts: readonly PicoUsd[]): DistinctFigures["costPerTrace"] {
  if (traceCosts.length === 0) return { p50: null, p95: null };
  const sorted = [...traceCosts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const at = (q: number) => picoToUsd(sorted[Math.floor(q * (sorted.length - 1))]!);
  return { p50: at(0.5), p95: at(0.95) };
}

export function toSummary(aggregate: MetricsAggregate, distinct: DistinctFigures): MetricsSummary {
  const firstToken = aggregate.timeToFirstTokenMs;
  return {
    ...toFigures(aggregate),
    timeToFirstTokenMs: { p50: firstToken.quantile(0.5), p95: firstToken.quantile(0.95) },
    ...distinct,
    wastedCost: picoToUsd(aggregate.wastedCostPicoUsd),
  };
}

export function zeroCounters(): MetricsCounters {
  return { requests: 0, errors: 0, costPicoUsd: 0n, costUnknownRequests: 0, promptTokens: 0, completionTokens: 0, wastedCostPicoUsd: 0n };
}
