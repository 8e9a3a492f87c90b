/**
 * The dashboard's view, kept in the URL so a view can be shared: the Requests page's filters
 * (same names, same parser: request-filters.ts) with a time range that defaults to the last 24
 * hours, and how the breakdowns rank. Also the time window a
 * view stands for at a given moment, and the metrics API's query for it. Pure: no React, no fetch.
 */
import { METRICS_ORDERS, type MetricsOrder } from "../contracts/metrics";
import { TIME_RANGES, filtersFromSearchParams, filtersToSearchParams, type RequestFilters, type TimeRange } from "./request-filters";

export const DASHBOARD_RANGES = ["1h", "24h", "7d", "30d"] as const satisfies readonly TimeRange[];
export const DEFAULT_DASHBOARD_RANGE: TimeRange = "24h";
const DEFAULT_RANK: MetricsOrder = "cost";

export interface DashboardView {
  /** always a range, or from/to (a custom range); never body search or a trace */
  filters: RequestFilters;
  /** what the breakdowns rank by */
  rank: MetricsOrder;
  /** the property whose values the property breakdown lists */
  topProperty?: string;
}

/** `[fromMs, toMs)`, as the metrics API counts. */
export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

export function dashboardFromSearchParams(params: URLSearchParams): DashboardView {
  // The metrics API cannot search bodies or narrow to one trace: such a link would show numbers
  // that ignore part of its URL.
  const filters = filtersFromSearchParams(params);
  delete filters.search;
  delete filters.traceId;
  for (const key of ["from", "to"] as const) if (filters[key] !== undefined && parseTime(filters[key]) === null) delete filters[key];
  const custom = Boolean(filters.from || filters.to);
  if (custom) delete filters.range;
  else if (!filters.range || !(DASHBOARD_RANGES as readonly string[]).includes(filters.range)) filters.range = DEFAULT_DASHBOARD_RANGE;

  const rank = params.get("rank");
  const topProperty = params.get("topProperty")?.trim().toLowerCase();
  return {
    filters,
    rank: (METRICS_ORDERS as readonly string[]).includes(rank ?? "") ? (rank as MetricsOrder) : DEFAULT_RANK,
    ...(topProperty ? { topProperty } : {}),
  };
}

/** The dashboard URL's query; defaults are left out, so `/dashboard` is the last 24 hours by cost. */
export function dashboardToSearchParams(view: DashboardView): URLSearchParams {
  const params = filtersToSearchParams(view.filters);
  if (params.get("range") === DEFAULT_DASHBOARD_RANGE) params.delete("range");
  if (view.rank !== DEFAULT_RANK) params.set("rank", view.rank);
  if (view.topProperty) params.set("topProperty", view.topProperty);
  return params;
}

/**
 * The window the view shows at `nowMs`: a relative range ends then; a custom range runs from
 * `from` to `to`, to `nowMs` when it has no end, and over the default range's length when it has
 * no start.
 */
export function resolveWindow(filters: RequestFilters, nowMs: number): TimeWindow {
  const toMs = parseTime(filters.to) ?? nowMs;
  const fromMs = parseTime(filters.from) ?? toMs - TIME_RANGES[filters.range ?? DEFAULT_DASHBOARD_RANGE].ms;
  return { fromMs, toMs };
}

/** The metrics API's query (`from`, `to`, the filters), sorted so that it is also a stable cache key. */
export function metricsQuery(filters: RequestFilters, window: TimeWindow): string {
  const params = filtersToSearchParams({ ...filters, range: undefined, search: undefined, traceId: undefined, from: iso(window.fromMs), to: iso(window.toMs) });
  params.sort();
  return params.toString();
}

/** ISO or epoch milliseconds, as the read API takes them; null when neither. */
export function parseTime(text: string | undefined): number | null {
  if (!text) return null;
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isNaN(new Date(ms).getTime()) ? null : ms;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
