"use client";

import Link from "next/link";
import { useId, type ReactNode } from "react";
import type { UseQueryResult } from "@tanstack/react-query";
import type { MetricsOrder, MetricsTop, MetricsTopRow } from "@/lib/contracts/metrics";
import type { TimeWindow } from "@/lib/queries/dashboard-filters";
import type { RequestFilters } from "@/lib/queries/request-filters";
import { formatCount, formatDuration, formatUsd } from "@/components/ui/format";
import { requestsHref, type Slice } from "./requests-links";

interface Props {
  title: string;
  /** the metrics API's answer (lib/queries/metrics.ts); null when there is no dimension to ask for */
  top: UseQueryResult<MetricsTop | null>;
  /** the Requests filter that selects one row's requests */
  sliceOf: (key: string) => Slice;
  order: MetricsOrder;
  filters: RequestFilters;
  timeWindow: TimeWindow;
  /** beside the title: the property breakdown's key picker */
  control?: ReactNode;
  /** shown when there are no rows, or no dimension to ask for (a null answer) */
  empty?: string;
}

const MEASURE: Record<MetricsOrder, (row: MetricsTopRow) => number> = {
  cost: (row) => row.cost,
  requests: (row) => row.requests,
  latencyP95: (row) => row.latencyMs.p95 ?? 0,
};

/** The top values of one dimension, ranked by `order`; each row links to its requests. */
export function BreakdownTable({ title, top, sliceOf, order, filters, timeWindow, control, empty = "No requests in this range." }: Props) {
  const headingId = useId();
  const rows = top.data?.rows ?? [];
  const largest = Math.max(0, ...rows.map(MEASURE[order]));

  return (
    <section aria-labelledby={headingId} className="min-w-0 rounded-lg border border-slate-200 bg-white p-3 shadow-xs">
      <div className="mb-2 flex items-center gap-2">
        <h2 id={headingId} className="text-[13px] font-semibold text-slate-800">
          {title}
        </h2>
        {control}
      </div>
      {top.error ? (
        <p className="text-xs text-red-700">Could not load: {top.error.message}</p>
      ) : (
        <table className={`w-full table-fixed border-separate border-spacing-0 text-xs tabular-nums ${top.isPlaceholderData ? "opacity-60" : ""}`} aria-labelledby={headingId}>
          <thead>
            <tr className="text-[11px] text-slate-500">
              <th scope="col" className="pb-1 text-left font-medium">
                Value
              </th>
              {/* The first row's widths are the columns' (table-fixed); errors make room for the value on a phone. */}
              <Heading active={order === "requests"} className="w-[4.5rem]">
                Requests
              </Heading>
              <Heading active={false} className="hidden w-[3.5rem] sm:table-cell">
                Errors
              </Heading>
              <Heading active={order === "cost"} className="w-[5rem]">
                Cost
              </Heading>
              <Heading active={order === "latencyP95"} className="w-[4.5rem]">
                p95
              </Heading>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key} className="hover:bg-slate-50">
                <th scope="row" className="relative truncate py-1 pr-2 text-left font-normal">
                  <span className="absolute inset-y-0.5 left-0 rounded-sm bg-indigo-100" style={{ width: `${largest > 0 ? (MEASURE[order](row) / largest) * 100 : 0}%` }} aria-hidden />
                  <Link href={requestsHref(filters, timeWindow, sliceOf(row.key))} prefetch={false} className="relative pl-1 text-slate-800 hover:text-indigo-700 hover:underline" title={row.key}>
                    {row.key}
                  </Link>
                </th>
                <td className="py-1 text-right">{formatCount(row.requests)}</td>
                <td className={`hidden py-1 text-right sm:table-cell ${row.errors > 0 ? "text-red-700" : "text-slate-400"}`}>{formatCount(row.errors)}</td>
                <td className="py-1 text-right">{formatUsd(row.cost, !row.costComplete)}</td>
                <td className="py-1 text-right">{formatDuration(row.latencyMs.p95)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {top.isPending && <div className="h-24 animate-pulse rounded bg-slate-50" aria-label="Loading" />}
      {top.isSuccess && rows.length === 0 && <p className="py-3 text-center text-xs text-slate-500">{empty}</p>}
    </section>
  );
}

function Heading({ active, children, className = "" }: { active: boolean; children: ReactNode; className?: string }) {
  return (
    <th scope="col" className={`pb-1 text-right font-medium ${active ? "text-slate-800" : ""} ${className}`} aria-sort={active ? "descending" : undefined}>
      {children}
    </th>
  );
}
