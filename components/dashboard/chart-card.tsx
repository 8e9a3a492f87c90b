"use client";

import { memo, useId } from "react";
import type { TimeWindow } from "@/lib/queries/dashboard-filters";
import type { RequestFilters } from "@/lib/queries/request-filters";
import { ChartDataTable } from "./chart-data-table";
import type { ValueKind } from "./chart-format";
import type { TimeChartModel } from "./chart-model";
import { bucketWindow, requestsHref } from "./requests-links";
import { useTimeChartModule } from "./use-time-chart-module";

interface Props {
  title: string;
  description: string;
  model: TimeChartModel | undefined;
  shape: "stacked-bars" | "lines";
  valueKind: ValueKind;
  filters: RequestFilters;
  timeWindow: TimeWindow;
  error: Error | null;
  /** the previous range's or filters' chart, shown until the new one arrives */
  stale: boolean;
  className?: string;
}

/** A titled chart with its data table; every bucket and segment links to the requests behind it. */
export const ChartCard = memo(function ChartCard({ title, description, model, shape, valueKind, filters, timeWindow, error, stale, className = "" }: Props) {
  const headingId = useId();
  const charts = useTimeChartModule();
  const bucketOf = (pointIndex: number) => bucketWindow(timeWindow, model!.points[pointIndex]!.startMs, model!.intervalMs);
  const hrefOf = (pointIndex: number, seriesIndex: number) => {
    const slice = model!.series[seriesIndex]!.slice;
    return slice ? requestsHref(filters, bucketOf(pointIndex), slice) : null;
  };
  const bucketHrefOf = (pointIndex: number) => requestsHref(filters, bucketOf(pointIndex));

  return (
    <section aria-labelledby={headingId} className={`min-w-0 rounded-lg border border-slate-200 bg-white p-3 shadow-xs ${className}`} data-chart={title}>
      <h2 id={headingId} className="text-[13px] font-semibold text-slate-800">
        {title}
      </h2>
      <p className="mb-2 text-[11px] text-slate-500">{description}</p>
      {error ? (
        <p className="flex h-[220px] items-center justify-center text-xs text-red-700">Could not load: {error.message}</p>
      ) : !model ? (
        <ChartPlaceholder />
      ) : (
        <div className={stale ? "opacity-50 transition-opacity" : undefined} aria-busy={stale}>
          {charts ? <charts.TimeChart model={model} shape={shape} valueKind={valueKind} hrefOf={hrefOf} bucketHrefOf={bucketHrefOf} /> : <ChartPlaceholder />}
          <ChartDataTable title={title} model={model} valueKind={valueKind} hrefOf={hrefOf} bucketHrefOf={bucketHrefOf} />
        </div>
      )}
    </section>
  );
});

function ChartPlaceholder() {
  return <div className="h-[220px] animate-pulse rounded bg-slate-50" aria-label="Loading" />;
}
