import { iso, type TimeWindow } from "@/lib/queries/dashboard-filters";
import { filtersToSearchParams, type RequestFilters } from "@/lib/queries/request-filters";

/**
 * Links from a number on the dashboard to the Requests page filtered to exactly the requests
 * behind it: the dashboard's filters, the time it covers, and the slice's own value.
 */

/** One value of one dimension: a chart segment, a breakdown row. Empty: the whole window or bucket. */
export interface Slice {
  model?: string;
  /** "ok", "error" or a code */
  status?: string;
  userId?: string;
  sessionId?: string;
  property?: [key: string, value: string];
}

export function requestsHref(filters: RequestFilters, timeWindow: TimeWindow, slice: Slice = {}): string {
  const linked: RequestFilters = {
    ...filters,
    range: undefined,
    from: iso(timeWindow.fromMs),
    to: iso(lastIncludedMs(timeWindow.toMs)),
    model: slice.model ?? filters.model,
    status: narrowestStatus(filters.status, slice.status),
    userId: slice.userId ?? filters.userId,
    sessionId: slice.sessionId ?? filters.sessionId,
    properties: slice.property ? [...filters.properties.filter(([key]) => key !== slice.property![0]), slice.property] : filters.properties,
  };
  return `/requests?${filtersToSearchParams(linked)}`;
}

/** The part of the window that a bucket `[startMs, startMs + intervalMs)` covers (the first and last may be partial). */
export function bucketWindow(timeWindow: TimeWindow, startMs: number, intervalMs: number): TimeWindow {
  return { fromMs: Math.max(timeWindow.fromMs, startMs), toMs: Math.min(timeWindow.toMs, startMs + intervalMs) };
}

/**
 * The Requests page's `to` is inclusive (start time ≤ to) while a window ends before its `to`.
 * Start times are kept to the millisecond, so the last millisecond before the end selects the same
 * requests, and a request on a bucket's boundary appears only under the bucket it was counted in.
 */
function lastIncludedMs(endExclusiveMs: number): number {
  return endExclusiveMs - 1;
}

/**
 * The dashboard's status filter and a slice's status together: a code is narrower than ok/error
 * (a status chart's 503 under status=error is 503), and a slice of an ok/error filter is that slice.
 */
function narrowestStatus(filtered: string | undefined, slice: string | undefined): string | undefined {
  if (!slice) return filtered;
  if (filtered && /^\d+$/.test(filtered)) return filtered;
  return slice;
}
