"use client";

import { memo, useMemo } from "react";
import type { TimeWindow } from "@/lib/queries/dashboard-filters";
import type { RequestFilters } from "@/lib/queries/request-filters";
import { useMetricsTimeseries } from "@/lib/queries/metrics";
import { ChartCard } from "./chart-card";
import { costByModelChart, errorsByStatusChart, latencyChart, requestsChart, tokensChart } from "./chart-model";

interface Props {
  query: string;
  filters: RequestFilters;
  timeWindow: TimeWindow;
}

/**
 * The charts over time. Two timeseries answer all five: grouped by model (its buckets also carry
 * the totals that the requests, latency and tokens charts draw) and grouped by status. Memoized,
 * as is each card: a chart is redrawn when its own data changes, not when the summary or the
 * other timeseries arrives (a recharts chart costs tens of milliseconds to draw).
 */
export const DashboardCharts = memo(function DashboardCharts({ query, filters, timeWindow }: Props) {
  const byModel = useMetricsTimeseries(query, "model");
  const byStatus = useMetricsTimeseries(query, "status");
  const charts = useMemo(
    () =>
      byModel.data && {
        requests: requestsChart(byModel.data),
        cost: costByModelChart(byModel.data),
        latency: latencyChart(byModel.data),
        tokens: tokensChart(byModel.data),
      },
    [byModel.data],
  );
  const errors = useMemo(() => byStatus.data && errorsByStatusChart(byStatus.data), [byStatus.data]);
  const common = { filters, timeWindow };

  return (
    <div className="grid grid-cols-1 gap-3 lg:grid-cols-2">
      <ChartCard {...common} title="Requests" description="OK and failed (not 2xx) per bucket" model={charts?.requests} shape="stacked-bars" valueKind="count" error={byModel.error} stale={byModel.isPlaceholderData} />
      <ChartCard {...common} title="Errors by status" description="Failed requests per HTTP status (0: no response)" model={errors} shape="stacked-bars" valueKind="count" error={byStatus.error} stale={byStatus.isPlaceholderData} />
      <ChartCard {...common} title="Cost by model" description="USD per bucket, the largest models first" model={charts?.cost} shape="stacked-bars" valueKind="usd" error={byModel.error} stale={byModel.isPlaceholderData} />
      <ChartCard {...common} title="Tokens" description="Prompt (in) and completion (out) tokens per bucket" model={charts?.tokens} shape="stacked-bars" valueKind="count" error={byModel.error} stale={byModel.isPlaceholderData} />
      <ChartCard
        {...common}
        title="Latency"
        description="p50, p95 and p99 of every request, failed ones included"
        model={charts?.latency}
        shape="lines"
        valueKind="ms"
        error={byModel.error} stale={byModel.isPlaceholderData}
        className="lg:col-span-2"
      />
    </div>
  );
});
