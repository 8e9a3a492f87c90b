import { queryOptions, useQuery } from "@tanstack/react-query";
import type { TraceResponse } from "@/lib/contracts/trace";
import { fetchJson } from "./api-client";

export type { TraceNodeDto, TraceRequestDto, TraceResponse } from "@/lib/contracts/trace";

export const traceKeys = {
  all: ["traces"] as const,
  detail: (traceId: string) => [...traceKeys.all, traceId] as const,
  shared: (shareToken: string) => [...traceKeys.all, "shared", shareToken] as const,
};

/** The trace from the read API, or, given a share link's token, as that link shows it. */
export function traceQueryOptions(traceId: string, shareToken?: string) {
  return queryOptions({
    queryKey: shareToken ? traceKeys.shared(shareToken) : traceKeys.detail(traceId),
    queryFn: () =>
      fetchJson<TraceResponse>(shareToken ? `/api/v1/shared/${encodeURIComponent(shareToken)}` : `/api/v1/traces/${encodeURIComponent(traceId)}`),
  });
}

export function useTrace(traceId: string, shareToken?: string) {
  return useQuery(traceQueryOptions(traceId, shareToken));
}
