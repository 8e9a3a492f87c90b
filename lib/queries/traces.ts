import { queryOptions, useQuery } from "@tanstack/react-query";
import type { getTraceForApi } from "@/lib/read-api/get-trace";
import { fetchJson } from "./api-client";

export type TraceResponse = Awaited<ReturnType<typeof getTraceForApi>>;
export type TraceNodeDto = TraceResponse["nodes"][number];
export type TraceRequestDto = TraceNodeDto["requests"][number];

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
