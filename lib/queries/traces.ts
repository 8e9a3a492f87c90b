import { queryOptions, useQuery } from "@tanstack/react-query";
import type { TraceResponse } from "@/lib/contracts/trace";
import { fetchJson } from "./api-client";

export type { TraceNodeDto, TraceRequestDto, TraceResponse } from "@/lib/contracts/trace";

export const traceKeys = {
  all: ["traces"] as const,
  detail: (traceId: string) => [...traceKeys.all, traceId] as const,
};

export function traceQueryOptions(traceId: string) {
  return queryOptions({
    queryKey: traceKeys.detail(traceId),
    queryFn: () => fetchJson<TraceResponse>(`/api/v1/traces/${encodeURIComponent(traceId)}`),
  });
}

export function useTrace(traceId: string) {
  return useQuery(traceQueryOptions(traceId));
}
