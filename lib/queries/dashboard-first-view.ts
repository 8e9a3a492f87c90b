import type { MetricsOrder } from "../contracts/metrics";
import { DEFAULT_TOP_ROWS, metricsPaths } from "./metrics";
import { suggestionPaths, type PropertyKeysResponse } from "./suggestions";

/**
 * The API paths the Dashboard's first view reads (its components' hooks fetch exactly these):
 * the summary, the two timeseries the charts draw, the top models, users and sessions, the
 * property keys and models the filter bar suggests, and the property breakdown when the URL
 * names its property (otherwise it takes the most used key, from the property keys' answer).
 * The page asks the browser to preload them from its HTML, so that they are read while the
 * scripts load and run instead of after (tests/e2e/dashboard.spec.ts checks the match).
 */
export function dashboardFirstPaths(query: string, rank: MetricsOrder, topProperty: string | undefined): string[] {
  const top = (by: string) => metricsPaths.top(query, by, rank, DEFAULT_TOP_ROWS);
  return [
    // First: the property breakdown's read waits for this answer, and the server answers in turn
    // (SQLite's reads hold its one thread).
    suggestionPaths.propertyKeys,
    metricsPaths.summary(query),
    metricsPaths.timeseries(query, "model"),
    metricsPaths.timeseries(query, "status"),
    top("model"),
    top("userId"),
    top("sessionId"),
    ...(topProperty ? [top(`property.${topProperty}`)] : []),
    suggestionPaths.models,
  ];
}

/** The property the breakdown lists: the one in the URL, else the most used one; null while none is known. */
export function breakdownProperty(topProperty: string | undefined, keys: PropertyKeysResponse | undefined): string | null {
  return topProperty ?? keys?.keys[0]?.key ?? null;
}
