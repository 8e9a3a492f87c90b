import { useInfiniteQuery } from "@tanstack/react-query";
import type { listUsersForApi } from "@/lib/read-api/list-users";
import { fetchJson } from "./api-client";

export type EndUsersPage = Awaited<ReturnType<typeof listUsersForApi>>;
export type EndUserItem = EndUsersPage["data"][number];

export const endUserKeys = {
  all: ["end-users"] as const,
  list: (search: string) => [...endUserKeys.all, "list", search] as const,
};

export function useEndUsers(search: string) {
  return useInfiniteQuery({
    queryKey: endUserKeys.list(search),
    queryFn: ({ pageParam }) => {
      const params = new URLSearchParams({ limit: "50" });
      if (search) params.set("search", search);
      if (pageParam) params.set("cursor", pageParam);
      return fetchJson<EndUsersPage>(`/api/v1/users?${params}`);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}
