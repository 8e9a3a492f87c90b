import { z } from "zod";
import { METRICS_INTERVALS, METRICS_ORDERS, type MetricsSummary, type MetricsTimeseries, type MetricsTop } from "../contracts/metrics";
import { dimensionName } from "../domain/insights/dimensions";
import { toSummary } from "../domain/insights/metrics-aggregate";
import { planBuckets } from "../domain/insights/time-buckets";
import { DEFAULT_TOP_LIMIT, MAX_TOP_LIMIT, topRows } from "../domain/insights/top-groups";
import { badRequest } from "../shared/api-error";
import { aggregateTopCandidates, requestTimeseries, summarizeRequests } from "../storage/metrics";
import { dimensionParam, parseMetricsQuery } from "./metrics-params";

/** GET /api/v1/metrics/summary: the slice's totals. */
export async function getMetricsSummary(organizationId: string, searchParams: URLSearchParams, nowMs = Date.now()): Promise<MetricsSummary> {
  const { slice } = parseMetricsQuery(searchParams, organizationId, nowMs, {});
  const { aggregate, distinct } = await summarizeRequests(slice);
  return toSummary(aggregate, distinct);
}

const timeseriesParams = {
  interval: z.enum(["auto", ...METRICS_INTERVALS]).default("auto"),
  groupBy: dimensionParam.optional(),
};

/** GET /api/v1/metrics/timeseries: the slice in UTC-aligned buckets, every one listed, grouped or not. */
export async function getMetricsTimeseries(organizationId: string, searchParams: URLSearchParams, nowMs = Date.now()): Promise<MetricsTimeseries> {
  const { slice, options } = parseMetricsQuery(searchParams, organizationId, nowMs, timeseriesParams);
  const planned = planBuckets(slice.from.getTime(), slice.before.getTime(), options.interval);
  if (!planned.ok) throw badRequest(planned.reason);
  const accumulator = await requestTimeseries(slice, planned.plan, options.groupBy ?? null);
  return accumulator.timeseries();
}

const topParams = {
  by: dimensionParam.default({ kind: "model" }),
  order: z.enum(METRICS_ORDERS).default("cost"),
  limit: z.coerce.number().int().min(1).max(MAX_TOP_LIMIT).default(DEFAULT_TOP_LIMIT),
};

/** GET /api/v1/metrics/top: the values of one dimension with the most cost, requests or p95 latency. */
export async function getMetricsTop(organizationId: string, searchParams: URLSearchParams, nowMs = Date.now()): Promise<MetricsTop> {
  const { slice, options } = parseMetricsQuery(searchParams, organizationId, nowMs, topParams);
  const groups = await aggregateTopCandidates(slice, options.by, options.order, options.limit);
  return { by: dimensionName(options.by), order: options.order, rows: topRows(groups, options.order, options.limit) };
}
