import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import type { MetricsOrder, MetricsSummary, MetricsTimeseries, MetricsTop } from "../contracts/metrics";
import { fetchJson } from "./api-client";
import { propertyKeysQuery } from "./suggestions";

/**
 * The dashboard's reads of GET /api/v1/metrics/{summary,timeseries,top}. `query` is the sorted
 * query string of dashboard-filters.ts's metricsQuery (window and filters), so it is the cache key.
 * A new window or filter keeps the previous answer on screen until the new one arrives.
 */
export const metricsKeys = {
  all: ["metrics"] as const,
  summary: (query: string) => [...metricsKeys.all, "summary", query] as const,
  timeseries: (query: string, groupBy: string | null) => [...metricsKeys.all, "timeseries", query, groupBy ?? ""] as const,
  top: (query: string, by: string, order: MetricsOrder, limit: number) => [...metricsKeys.all, "top", query, by, order, limit] as const,
};

/** The API path each read fetches; the Dashboard page answers the same paths on the server for its first view. */
export const metricsPaths = {
  summary: (query: string) => `/api/v1/metrics/summary?${query}`,
  timeseries: (query: string, groupBy: string | null) => `/api/v1/metrics/timeseries?${withParams(query, { interval: "auto", groupBy })}`,
  top: (query: string, by: string, order: MetricsOrder, limit: number) => `/api/v1/metrics/top?${withParams(query, { by, order, limit: String(limit) })}`,
};

export const DEFAULT_TOP_ROWS = 10;

export function useMetricsSummary(query: string) {
  return useQuery({
    queryKey: metricsKeys.summary(query),
    queryFn: () => fetchJson<MetricsSummary>(metricsPaths.summary(query)),
    placeholderData: keepPreviousData,
  });
}

/** Buckets of the auto interval for the window; with `groupBy`, each bucket's groups. */
export function useMetricsTimeseries(query: string, groupBy: string | null = null) {
  return useQuery({
    queryKey: metricsKeys.timeseries(query, groupBy),
    queryFn: () => fetchJson<MetricsTimeseries>(metricsPaths.timeseries(query, groupBy)),
    placeholderData: keepPreviousData,
  });
}

/** The `limit` values of `by` with the most cost, requests or p95 latency. */
export function useMetricsTop(query: string, by: string, order: MetricsOrder, limit = DEFAULT_TOP_ROWS) {
  return useQuery({
    queryKey: metricsKeys.top(query, by, order, limit),
    queryFn: () => fetchJson<MetricsTop>(metricsPaths.top(query, by, order, limit)),
    placeholderData: keepPreviousData,
  });
}

/**
 * The top values of a property: `property`'s, or when none is chosen the most used key's. Then
 * the keys (from the cache, or asked for) and the values are read in one chain: a component
 * reading the keys first would ask for the values only once it had rendered them, behind
 * whatever else was rendering (the charts, measured: 100–400 ms at a million requests). The
 * answer's `by` names the property; null when no request has a property.
 */
export function useMetricsPropertyTop(query: string, property: string | undefined, order: MetricsOrder, limit = DEFAULT_TOP_ROWS) {
  const client = useQueryClient();
  return useQuery({
    queryKey: property ? metricsKeys.top(query, `property.${property}`, order, limit) : metricsKeys.top(query, "property (the most used)", order, limit),
    queryFn: async (): Promise<MetricsTop | null> => {
      const key = property ?? (await client.fetchQuery(propertyKeysQuery)).keys[0]?.key;
      return key === undefined ? null : fetchJson<MetricsTop>(metricsPaths.top(query, `property.${key}`, order, limit));
    },
    placeholderData: keepPreviousData,
  });
}

/** Asks every metric again: for a window that does not move (a custom range) while new requests may arrive in it. */
export function useRefetchMetrics() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: metricsKeys.all });
}

function withParams(query: string, extra: Record<string, string | null>): string {
  const params = new URLSearchParams(query);
  for (const [name, value] of Object.entries(extra)) if (value !== null) params.set(name, value);
  return params.toString();
}
