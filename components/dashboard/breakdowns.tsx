"use client";

import { memo } from "react";
import { METRICS_ORDERS, type MetricsOrder } from "@/lib/contracts/metrics";
import type { TimeWindow } from "@/lib/queries/dashboard-filters";
import { breakdownProperty } from "@/lib/queries/dashboard-first-view";
import type { RequestFilters } from "@/lib/queries/request-filters";
import { useMetricsPropertyTop, useMetricsTop } from "@/lib/queries/metrics";
import { usePropertyKeySuggestions } from "@/lib/queries/suggestions";
import { inputClass } from "@/components/requests/request-filters-bar";
import { BreakdownTable } from "./breakdown-table";

interface Props {
  query: string;
  filters: RequestFilters;
  timeWindow: TimeWindow;
  rank: MetricsOrder;
  onRankChange: (rank: MetricsOrder) => void;
  /** the chosen property key; the most used one when none is chosen */
  topProperty: string | undefined;
  onTopPropertyChange: (key: string) => void;
}

const RANK_LABELS: Record<MetricsOrder, string> = { cost: "Cost", requests: "Requests", latencyP95: "p95 latency" };

/** Top models, users, sessions and one property's values, all ranked the same way. Memoized: the summary's arrival does not redraw them. */
export const Breakdowns = memo(function Breakdowns({ query, filters, timeWindow, rank, onRankChange, topProperty, onTopPropertyChange }: Props) {
  const propertyKeys = usePropertyKeySuggestions();
  const keys = propertyKeys.data?.keys.map((k) => k.key) ?? [];
  const property = breakdownProperty(topProperty, propertyKeys.data);
  const models = useMetricsTop(query, "model", rank);
  const users = useMetricsTop(query, "userId", rank);
  const sessions = useMetricsTop(query, "sessionId", rank);
  const propertyValues = useMetricsPropertyTop(query, topProperty, rank);
  // The property whose values are shown: the chosen one, else the answer says which (the most used).
  const shownProperty = topProperty ?? propertyValues.data?.by.slice("property.".length) ?? property;
  const common = { filters, timeWindow, order: rank };

  return (
    <section aria-label="Breakdowns" className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <h2 className="text-sm font-semibold text-slate-900">Top</h2>
        <div role="radiogroup" aria-label="Rank by" className="inline-flex overflow-hidden rounded border border-slate-300 text-xs">
          {METRICS_ORDERS.map((order) => (
            <button
              key={order}
              type="button"
              role="radio"
              aria-checked={order === rank}
              onClick={() => onRankChange(order)}
              className={`px-2 py-1 ${order === rank ? "bg-indigo-600 text-white" : "bg-white text-slate-700 hover:bg-slate-50"}`}
            >
              {RANK_LABELS[order]}
            </button>
          ))}
        </div>
      </div>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
        <BreakdownTable {...common} title="Models" top={models} sliceOf={(model) => ({ model })} />
        <BreakdownTable {...common} title="Users" top={users} sliceOf={(userId) => ({ userId })} empty="No request in this range names a user (Helicone-User-Id)." />
        <BreakdownTable {...common} title="Sessions" top={sessions} sliceOf={(sessionId) => ({ sessionId })} empty="No request in this range belongs to a session." />
        <BreakdownTable
          {...common}
          title="Property"
          top={propertyValues}
          sliceOf={(value) => ({ property: [shownProperty!, value] })}
          empty={shownProperty === null ? "No properties logged yet (Helicone-Property-*)." : `No request in this range has the property ${shownProperty}.`}
          control={
            <select aria-label="Property to break down by" className={inputClass} value={shownProperty ?? ""} onChange={(e) => onTopPropertyChange(e.target.value)} disabled={keys.length === 0}>
              {shownProperty !== null && !keys.includes(shownProperty) && <option value={shownProperty}>{shownProperty}</option>}
              {keys.map((key) => (
                <option key={key} value={key}>
                  {key}
                </option>
              ))}
            </select>
          }
        />
      </div>
    </section>
  );
});
