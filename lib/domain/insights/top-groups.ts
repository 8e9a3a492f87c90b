import type { MetricsOrder, MetricsTopRow } from "../../contracts/metrics";
import { compareGroupKeys } from "./dimensions";
import type { GroupedAggregates } from "./grouped-aggregates";
import { toFigures, type MetricsAggregate, type MetricsCounters } from "./metrics-aggregate";

export const DEFAULT_TOP_LIMIT = 10;
export const MAX_TOP_LIMIT = 100;

/**
 * The `limit` values with the most cost, requests or p95 latency, largest first; ties go to the
 * smaller key, so the same data always gives the same rows. Requests without a value (no user,
 * no such property) are left out: each row links to the Requests page filtered to that value, and
 * no filter there selects "none" (they are the summary minus the rows).
 */
export function topRows(groups: GroupedAggregates, order: MetricsOrder, limit: number): MetricsTopRow[] {
  const ranked: Array<{ key: string; aggregate: MetricsAggregate; latencyP95: number | null }> = [];
  for (const [key, aggregate] of groups) {
    if (key !== null) ranked.push({ key, aggregate, latencyP95: aggregate.latencyMs.quantile(0.95) });
  }
  ranked.sort((a, b) => compareMeasure(a, b, order) || compareGroupKeys(a.key, b.key));
  return ranked.slice(0, limit).map(({ key, aggregate, latencyP95 }) => {
    const { requests, errors, cost, costComplete } = toFigures(aggregate);
    return { key, requests, errors, cost, costComplete, latencyMs: { p95: latencyP95 } };
  });
}

type Ranked = { aggregate: MetricsAggregate; latencyP95: number | null };

/** Descending; an empty group's missing p95 ranks last. */
function compareMeasure(a: Ranked, b: Ranked, order: MetricsOrder): number {
  switch (order) {
    case "cost":
      return descending(a.aggregate.costPicoUsd, b.aggregate.costPicoUsd);
    case "requests":
      return descending(a.aggregate.requests, b.aggregate.requests);
    case "latencyP95":
      return descending(a.latencyP95 ?? -1, b.latencyP95 ?? -1);
  }
}

function descending<T extends number | bigint>(a: T, b: T): number {
  return a > b ? -1 : a < b ? 1 : 0;
}

/**
 * The keys topRows would keep when ranking by cost or requests, from counters alone: so that only
 * the winners' latency sketches need reading when a dimension has thousands of values.
 */
export function topKeysByCounters(counters: ReadonlyMap<string, MetricsCounters>, order: "cost" | "requests", limit: number): string[] {
  const measure = (c: MetricsCounters) => (order === "cost" ? c.costPicoUsd : BigInt(c.requests));
  return [...counters]
    .sort(([aKey, a], [bKey, b]) => descending(measure(a), measure(b)) || compareGroupKeys(aKey, bKey))
    .slice(0, limit)
    .map(([key]) => key);
}
