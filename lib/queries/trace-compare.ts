import { queryOptions, useQuery } from "@tanstack/react-query";
import type { TraceCompareResponse } from "@/lib/contracts/trace-compare";
import { fetchJson } from "./api-client";

export type { ComparedNode, ComparedNodeSide, NodeChange, TraceCompareResponse } from "@/lib/contracts/trace-compare";

export const traceCompareKeys = {
  all: ["trace-compare"] as const,
  pair: (a: string, b: string) => [...traceCompareKeys.all, a, b] as const,
};

/** The URL of GET /api/v1/traces/compare for two trace ids (also what the page preloads). */
export function traceCompareUrl(a: string, b: string): string {
  return `/api/v1/traces/compare?${new URLSearchParams({ a, b })}`;
}

/** The page of the comparison of two traces. */
export function traceComparePagePath(a: string, b: string): string {
  return `/traces/compare?${new URLSearchParams({ a, b })}`;
}

export function traceCompareQueryOptions(a: string, b: string) {
  return queryOptions({
    queryKey: traceCompareKeys.pair(a, b),
    queryFn: () => fetchJson<TraceCompareResponse>(traceCompareUrl(a, b)),
  });
}

export function useTraceCompare(a: string, b: string) {
  return useQuery(traceCompareQueryOptions(a, b));
}
