"use client";

import { DASHBOARD_RANGES, type DashboardFilters } from "@/lib/queries/dashboard-filters";
import { ActiveFilterChips, CommitInput, RequestFiltersBar, inputClass } from "@/components/requests/request-filters-bar";

interface Props {
  filters: DashboardFilters;
  onChange: (next: DashboardFilters) => void;
}

/** The Requests page's filter bar with the dashboard's ranges, without body search, plus provider. */
export function DashboardFiltersBar({ filters, onChange }: Props) {
  return (
    <div className="space-y-2">
      <RequestFiltersBar filters={filters} onChange={onChange} searchable={false} timeRanges={DASHBOARD_RANGES} allTime={false}>
        <CommitInput
          label="Provider"
          placeholder="Provider"
          value={filters.provider ?? ""}
          onCommit={(provider) => onChange({ ...filters, provider: provider || undefined })}
          className={`${inputClass} w-24`}
        />
      </RequestFiltersBar>
      <ActiveFilterChips
        filters={filters}
        onChange={onChange}
        showRange={false}
        extraChips={filters.provider ? [{ label: `provider = ${filters.provider}`, remove: () => onChange({ ...filters, provider: undefined }) }] : []}
      />
    </div>
  );
}
