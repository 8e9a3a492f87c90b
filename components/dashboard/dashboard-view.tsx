"use client";

import { useSearchParams } from "next/navigation";
import { useCallback, useMemo, useState } from "react";
import type { MetricsOrder } from "@/lib/contracts/metrics";
import { dashboardFromSearchParams, dashboardToSearchParams, iso, metricsQuery, resolveWindow, type DashboardView as View } from "@/lib/queries/dashboard-filters";
import type { RequestFilters } from "@/lib/queries/request-filters";
import { useMetricsSummary, useRefetchMetrics } from "@/lib/queries/metrics";
import { useSearchParamsUpdate } from "@/components/ui/use-search-params-update";
import { Breakdowns } from "./breakdowns";
import { formatMoment } from "./chart-format";
import { DashboardCharts } from "./dashboard-charts";
import { DashboardFiltersBar } from "./dashboard-filters-bar";
import { SummaryTiles } from "./summary-tiles";

/**
 * The dashboard: what was spent, on what, how fast, what failed, over a time range and the
 * Requests page's filters, all in the URL. A relative range ends at `nowMs`, which moves on
 * Refresh and on every change of filters; every number links to the requests behind it, in the
 * very window it was counted over.
 */
export function DashboardView({ initialNowMs }: { initialNowMs: number }) {
  const searchParams = useSearchParams();
  const updateParams = useSearchParamsUpdate();
  const view = useMemo(() => dashboardFromSearchParams(new URLSearchParams(searchParams.toString())), [searchParams]);
  const [nowMs, setNowMs] = useState(initialNowMs);
  const timeWindow = useMemo(() => resolveWindow(view.filters, nowMs), [view.filters, nowMs]);
  const query = metricsQuery(view.filters, timeWindow);
  const summary = useMetricsSummary(query);
  const refetchMetrics = useRefetchMetrics();
  // A relative range moves its end to now (new queries); a custom range is asked again as it is.
  const refresh = () => (view.filters.range ? setNowMs(Date.now()) : void refetchMetrics());

  const showView = useCallback(
    (next: View) =>
      updateParams((params) => {
        for (const name of [...params.keys()]) params.delete(name);
        for (const [name, value] of dashboardToSearchParams(next)) params.append(name, value);
      }),
    [updateParams],
  );
  const setFilters = (filters: RequestFilters) => {
    setNowMs(Date.now());
    showView({ ...view, filters });
  };
  const setRank = useCallback((rank: MetricsOrder) => showView({ ...view, rank }), [showView, view]);
  const setTopProperty = useCallback((topProperty: string) => showView({ ...view, topProperty }), [showView, view]);

  return (
    <main className="h-full overflow-y-auto">
      <div className="space-y-2 border-b border-slate-200 bg-white px-4 py-2.5">
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
          <h1 className="text-sm font-semibold text-slate-900">Dashboard</h1>
          <p className="text-xs text-slate-500" aria-label="Time window" data-testid="time-window">
            <time dateTime={iso(timeWindow.fromMs)}>{formatMoment(timeWindow.fromMs, nowMs)}</time> – <time dateTime={iso(timeWindow.toMs)}>{formatMoment(timeWindow.toMs, nowMs)}</time>
          </p>
          <button
            type="button"
            onClick={refresh}
            disabled={summary.isFetching}
            className="ml-auto h-7 rounded border border-slate-300 bg-white px-2 text-xs text-slate-700 hover:bg-slate-50"
          >
            {summary.isFetching ? "Refreshing…" : "Refresh"}
          </button>
        </div>
        <DashboardFiltersBar filters={view.filters} onChange={setFilters} />
      </div>
      <div className="space-y-4 p-3 sm:p-4">
        {summary.error && (
          <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-700">
            Could not load the dashboard: {summary.error.message}
          </p>
        )}
        {summary.data?.requests === 0 && <NoRequests />}
        <SummaryTiles summary={summary.data} filters={view.filters} timeWindow={timeWindow} />
        <DashboardCharts query={query} filters={view.filters} timeWindow={timeWindow} />
        <Breakdowns query={query} filters={view.filters} timeWindow={timeWindow} rank={view.rank} onRankChange={setRank} topProperty={view.topProperty} onTopPropertyChange={setTopProperty} />
      </div>
    </main>
  );
}

function NoRequests() {
  return (
    <p className="rounded border border-slate-200 bg-white px-3 py-2 text-sm text-slate-600">
      No requests in this range. Choose a longer range, clear filters, or send traffic: <code className="rounded bg-slate-100 px-1">npm run demo</code> fills the dashboard with
      samples.
    </p>
  );
}
