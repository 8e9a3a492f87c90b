import { infiniteQueryOptions, queryOptions, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { getRequestForApi } from "@/lib/read-api/get-request";
import type { listRequestsForApi } from "@/lib/read-api/list-requests";
import { fetchJson } from "./api-client";
import { filtersKey, filtersToApiQuery, type RequestFilters } from "./request-filters";

export type RequestsPage = Awaited<ReturnType<typeof listRequestsForApi>>;
export type RequestListItem = RequestsPage["data"][number];
export type RequestDetail = Awaited<ReturnType<typeof getRequestForApi>>;

const PAGE_SIZE = 50;

export const requestKeys = {
  all: ["requests"] as const,
  list: (filters: RequestFilters) => [...requestKeys.all, "list", filtersKey(filters)] as const,
  detail: (id: string) => [...requestKeys.all, "detail", id] as const,
};

export function fetchRequestsPage(filters: RequestFilters, cursor: string | null): Promise<RequestsPage> {
  const params = filtersToApiQuery(filters, Date.now());
  params.set("limit", String(PAGE_SIZE));
  if (cursor) params.set("cursor", cursor);
  return fetchJson(`/api/v1/requests?${params}`);
}

export function requestsQueryOptions(filters: RequestFilters) {
  return infiniteQueryOptions({
    queryKey: requestKeys.list(filters),
    queryFn: ({ pageParam }) => fetchRequestsPage(filters, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

/** Newest first, a page at a time (keyset cursor); auto-refresh comes from the live stream (useLiveRequests). */
export function useRequests(filters: RequestFilters) {
  return useInfiniteQuery(requestsQueryOptions(filters));
}

export function requestQueryOptions(id: string) {
  return queryOptions({
    queryKey: requestKeys.detail(id),
    queryFn: () => fetchJson<RequestDetail>(`/api/v1/requests/${encodeURIComponent(id)}`),
    staleTime: Number.POSITIVE_INFINITY, // a logged request never changes
  });
}

export function useRequest(id: string | null) {
  return useQuery({ ...requestQueryOptions(id ?? ""), enabled: id !== null });
}
