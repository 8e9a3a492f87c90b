"use client";

import { DASHBOARD_RANGES } from "@/lib/queries/dashboard-filters";
import type { RequestFilters } from "@/lib/queries/request-filters";
import { ActiveFilterChips, RequestFiltersBar } from "@/components/requests/request-filters-bar";

interface Props {
  filters: RequestFilters;
  onChange: (next: RequestFilters) => void;
}

/** The Requests page's filter bar with the dashboard's ranges and without body search (the metrics cannot search bodies). */
export function DashboardFiltersBar({ filters, onChange }: Props) {
  return (
    <div className="space-y-2">
      <RequestFiltersBar filters={filters} onChange={onChange} searchable={false} timeRanges={DASHBOARD_RANGES} allTime={false} />
      <ActiveFilterChips filters={filters} onChange={onChange} showRange={false} />
    </div>
  );
}
