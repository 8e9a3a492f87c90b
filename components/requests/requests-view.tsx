"use client";

import { useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useLiveRequests } from "@/lib/queries/live-events";
import { useRequests } from "@/lib/queries/requests";
import { filtersFromSearchParams, filtersToSearchParams, hasActiveFilters, type RequestFilters } from "@/lib/queries/request-filters";
import { useSearchParamsUpdate } from "@/components/ui/use-search-params-update";
import { CompareBar } from "@/components/trace-compare/compare-selection";
import { ActiveFilterChips, RequestFiltersBar } from "./request-filters-bar";
import { RequestDetailPanel } from "./request-detail";
import { RequestsTable } from "./requests-table";

const FILTER_PARAM = /^(model|provider|status|sessionId|userId|traceId|search|range|from|to|property\..+)$/;

/** The Requests page: filters in the URL, newest first, a page at a time, a request in a side panel. */
export function RequestsView() {
  const searchParams = useSearchParams();
  const updateParams = useSearchParamsUpdate();
  const filters = useMemo(() => filtersFromSearchParams(new URLSearchParams(searchParams.toString())), [searchParams]);
  const openRequestId = searchParams.get("request");
  const [autoRefresh, setAutoRefresh] = useState(searchParams.get("live") === "1");
  const query = useRequests(filters);
  const live = useLiveRequests(filters, autoRefresh);
  const rows = useMemo(() => query.data?.pages.flatMap((page) => page.data) ?? [], [query.data]);
  const nowMs = useNow(autoRefresh ? 5_000 : 30_000);

  const setFilters = useCallback(
    (next: RequestFilters) =>
      updateParams((params) => {
        for (const name of [...params.keys()]) if (FILTER_PARAM.test(name)) params.delete(name);
        params.delete("request");
        for (const [name, value] of filtersToSearchParams(next)) params.append(name, value);
      }),
    [updateParams],
  );
  const addFilter = useCallback(
    (patch: { property?: [string, string]; userId?: string; sessionId?: string; model?: string }) => {
      const { property, ...rest } = patch;
      setFilters({
        ...filters,
        ...rest,
        properties: property ? [...filters.properties.filter(([key]) => key !== property[0]), property] : filters.properties,
      });
    },
    [filters, setFilters],
  );
  const selectRequest = useCallback((id: string | null) => updateParams((params) => (id ? params.set("request", id) : params.delete("request")), { mode: "replace" }), [updateParams]);
  const toggleAutoRefresh = () => {
    setAutoRefresh(!autoRefresh);
    updateParams((params) => (autoRefresh ? params.delete("live") : params.set("live", "1")), { mode: "replace" });
  };

  return (
    <div className="flex h-full">
      <div className="flex min-w-0 flex-1 flex-col">
        <div className="space-y-2 border-b border-slate-200 bg-white px-4 py-2.5">
          <div className="flex items-center gap-3">
            <h1 className="text-sm font-semibold text-slate-900">Requests</h1>
            <span className="text-xs text-slate-400" aria-live="polite">
              {query.isPending ? "loading…" : `${rows.length.toLocaleString("en-US")}${query.hasNextPage ? "+" : ""} shown`}
            </span>
            <div className="ml-auto flex items-center gap-2">
              <CompareBar />
              <label className="flex cursor-pointer items-center gap-1.5 text-xs text-slate-600 select-none">
                <input type="checkbox" role="switch" aria-checked={autoRefresh} checked={autoRefresh} onChange={toggleAutoRefresh} className="accent-indigo-600" />
                Auto-refresh
                {autoRefresh && live.state === "live" && <span className="h-1.5 w-1.5 animate-pulse rounded-full bg-emerald-500" role="img" aria-label="live" title="Live: new requests appear as they are stored" />}
              </label>
              <button
                type="button"
                onClick={() => void query.refetch()}
                className="h-7 rounded border border-slate-300 bg-white px-2 text-xs text-slate-700 hover:bg-slate-50"
                disabled={query.isFetching}
              >
                {query.isFetching && !query.isFetchingNextPage ? "Refreshing…" : "Refresh"}
              </button>
            </div>
          </div>
          <RequestFiltersBar filters={filters} onChange={setFilters} />
          <ActiveFilterChips filters={filters} onChange={setFilters} />
        </div>
        <div className="min-h-0 flex-1 overflow-auto bg-white">
          {query.error ? (
            <p className="p-6 text-sm text-red-700">Could not load requests: {query.error.message}</p>
          ) : (
            <>
              <RequestsTable rows={rows} selectedId={openRequestId} nowMs={nowMs} onSelect={selectRequest} onFilter={addFilter} />
              {!query.isPending && rows.length === 0 && <EmptyState filtered={hasActiveFilters(filters)} />}
              <LoadMore
                hasMore={Boolean(query.hasNextPage)}
                loading={query.isFetchingNextPage}
                onLoad={() => {
                  if (!query.isFetchingNextPage) void query.fetchNextPage();
                }}
              />
            </>
          )}
        </div>
      </div>
      {openRequestId && <RequestDetailPanel key={openRequestId} requestId={openRequestId} onClose={() => selectRequest(null)} />}
    </div>
  );
}

function EmptyState({ filtered }: { filtered: boolean }) {
  return (
    <div className="mx-auto max-w-lg p-10 text-center text-sm text-slate-500">
      {filtered ? (
        <p>No request matches these filters.</p>
      ) : (
        <>
          <p className="font-medium text-slate-700">No requests logged yet.</p>
          <p className="mt-2">
            Point an OpenAI client at <code className="rounded bg-slate-100 px-1">/v1</code> with <code className="rounded bg-slate-100 px-1">Helicone-Auth: Bearer &lt;key&gt;</code>, or
            fill the dashboard with sample traffic: <code className="rounded bg-slate-100 px-1">npm run demo</code>.
          </p>
        </>
      )}
    </div>
  );
}

/** Loads the next page when scrolled into view, or on click. */
function LoadMore({ hasMore, loading, onLoad }: { hasMore: boolean; loading: boolean; onLoad: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element || !hasMore) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) onLoad();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasMore, onLoad]);
  if (!hasMore) return null;
  return (
    <div ref={ref} className="flex justify-center p-3">
      <button type="button" onClick={onLoad} disabled={loading} className="rounded border border-slate-300 px-3 py-1 text-xs text-slate-600 hover:bg-slate-50">
        {loading ? "Loading…" : "Load older requests"}
      </button>
    </div>
  );
}

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
