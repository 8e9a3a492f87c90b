import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { getSessionForApi } from "@/lib/read-api/get-session";
import type { listSessionsForApi } from "@/lib/read-api/list-sessions";
import { fetchJson } from "./api-client";

export type SessionsPage = Awaited<ReturnType<typeof listSessionsForApi>>;
export type SessionListItem = SessionsPage["data"][number];
export type SessionDetail = Awaited<ReturnType<typeof getSessionForApi>>;

export const sessionKeys = {
  all: ["sessions"] as const,
  list: (search: string, userId: string) => [...sessionKeys.all, "list", search, userId] as const,
  detail: (sessionId: string) => [...sessionKeys.all, "detail", sessionId] as const,
};

export function useSessions({ search, userId }: { search: string; userId: string }) {
  return useInfiniteQuery({
    queryKey: sessionKeys.list(search, userId),
    queryFn: ({ pageParam }) => {
      const params = new URLSearchParams({ limit: "50" });
      if (search) params.set("search", search);
      if (userId) params.set("userId", userId);
      if (pageParam) params.set("cursor", pageParam);
      return fetchJson<SessionsPage>(`/api/v1/sessions?${params}`);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

export function useSession(sessionId: string) {
  return useQuery({
    queryKey: sessionKeys.detail(sessionId),
    queryFn: () => fetchJson<SessionDetail>(`/api/v1/sessions/${encodeURIComponent(sessionId)}`),
  });
}
