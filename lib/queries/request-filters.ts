/**
 * The Requests page's filters, kept in the URL with the read API's own parameter names
 * (`model`, `status`, `property.<key>`, …) so a shared link and an API call read the same.
 * Pure: no React, no fetch.
 */
export const TIME_RANGES = {
  "15m": { label: "Last 15 minutes", ms: 15 * 60_000 },
  "1h": { label: "Last hour", ms: 3_600_000 },
  "24h": { label: "Last 24 hours", ms: 86_400_000 },
  "7d": { label: "Last 7 days", ms: 7 * 86_400_000 },
  "30d": { label: "Last 30 days", ms: 30 * 86_400_000 },
} as const;
export type TimeRange = keyof typeof TIME_RANGES;

export interface RequestFilters {
  model?: string;
  /** as stored: "openai", "anthropic", "google", … */
  provider?: string;
  /** "ok", "error" or an HTTP status code */
  status?: string;
  sessionId?: string;
  userId?: string;
  traceId?: string;
  /** text in request or response bodies */
  search?: string;
  /** a window ending now; ignored when `from`/`to` are set */
  range?: TimeRange;
  /** ISO times */
  from?: string;
  to?: string;
  /** [key, value] pairs, keys lower-cased as stored */
  properties: Array<[string, string]>;
}

const PLAIN_KEYS = ["model", "provider", "status", "sessionId", "userId", "traceId", "search", "from", "to"] as const;
const PROPERTY_PREFIX = "property.";

export function filtersFromSearchParams(params: URLSearchParams): RequestFilters {
  const filters: RequestFilters = { properties: [] };
  for (const key of PLAIN_KEYS) {
    const value = params.get(key)?.trim();
    if (value) filters[key] = value;
  }
  const range = params.get("range");
  if (range && range in TIME_RANGES) filters.range = range as TimeRange;
  for (const [name, value] of params) {
    if (name.startsWith(PROPERTY_PREFIX) && name.length > PROPERTY_PREFIX.length) {
      filters.properties.push([name.slice(PROPERTY_PREFIX.length).toLowerCase(), value]);
    }
  }
  return filters;
}

/** The page URL's query for these filters (other parameters, like the open request, are kept by the caller). */
export function filtersToSearchParams(filters: RequestFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of PLAIN_KEYS) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  if (filters.range && !filters.from && !filters.to) params.set("range", filters.range);
  for (const [key, value] of filters.properties) params.append(PROPERTY_PREFIX + key, value);
  return params;
}

/** The read API's query; a relative range becomes `from` at `nowMs`, so each refresh moves the window. */
export function filtersToApiQuery(filters: RequestFilters, nowMs: number): URLSearchParams {
  const params = filtersToSearchParams(filters);
  params.delete("range");
  if (filters.range && !filters.from && !filters.to) params.set("from", new Date(nowMs - TIME_RANGES[filters.range].ms).toISOString());
  return params;
}

export function hasActiveFilters(filters: RequestFilters): boolean {
  return filtersToSearchParams(filters).size > 0;
}

/** A stable key for react-query: same filters, same key, whatever order they were added in. */
export function filtersKey(filters: RequestFilters): string {
  const params = filtersToSearchParams(filters);
  params.sort();
  return params.toString();
}
