import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { getSharedRequestBodies } from "@/lib/read-api/shared-trace";
import type { listTraceSharesForApi } from "@/lib/read-api/trace-shares";
import type { getSharingForApi } from "@/lib/settings/sharing";
import { fetchJson } from "./api-client";

export type TraceShareItem = Awaited<ReturnType<typeof listTraceSharesForApi>>["data"][number];
export type CreatedTraceShare = TraceShareItem & { url: string };
export type SharingSetting = Awaited<ReturnType<typeof getSharingForApi>>;
export type SharedRequestBodies = Awaited<ReturnType<typeof getSharedRequestBodies>>;

export const shareKeys = {
  all: ["shares"] as const,
  trace: (traceId: string) => [...shareKeys.all, "trace", traceId] as const,
  organization: () => [...shareKeys.all, "organization"] as const,
  setting: ["sharing"] as const,
  sharedRequest: (token: string, requestId: string) => ["shared-request", token, requestId] as const,
};

const traceSharesPath = (traceId: string) => `/api/v1/traces/${encodeURIComponent(traceId)}/shares`;

export function useTraceShares(traceId: string) {
  return useQuery({ queryKey: shareKeys.trace(traceId), queryFn: () => fetchJson<{ data: TraceShareItem[] }>(traceSharesPath(traceId)) });
}

export function useOrganizationShares() {
  return useQuery({ queryKey: shareKeys.organization(), queryFn: () => fetchJson<{ data: TraceShareItem[] }>("/api/v1/shares") });
}

export function useCreateTraceShare(traceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (content: boolean) => fetchJson<CreatedTraceShare>(traceSharesPath(traceId), { method: "POST", body: JSON.stringify({ content }) }),
    onSettled: () => client.invalidateQueries({ queryKey: shareKeys.all }),
  });
}

export function useRevokeTraceShare() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (share: Pick<TraceShareItem, "id" | "traceId">) =>
      fetchJson<void>(`${traceSharesPath(share.traceId)}/${encodeURIComponent(share.id)}`, { method: "DELETE" }),
    onSettled: () => client.invalidateQueries({ queryKey: shareKeys.all }),
  });
}

export function useSharingSetting() {
  return useQuery({ queryKey: shareKeys.setting, queryFn: () => fetchJson<SharingSetting>("/api/v1/sharing") });
}

export function useSetSharing() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (enabled: boolean) => fetchJson<SharingSetting & { revoked: number }>("/api/v1/sharing", { method: "PUT", body: JSON.stringify({ enabled }) }),
    onSettled: () => Promise.all([client.invalidateQueries({ queryKey: shareKeys.setting }), client.invalidateQueries({ queryKey: shareKeys.all })]),
  });
}

/** One attempt's prompt and answer, as a share link that shares content shows them. */
export function sharedRequestQueryOptions(token: string, requestId: string) {
  return queryOptions({
    queryKey: shareKeys.sharedRequest(token, requestId),
    queryFn: () => fetchJson<SharedRequestBodies>(`/api/v1/shared/${encodeURIComponent(token)}/requests/${encodeURIComponent(requestId)}`),
    staleTime: Number.POSITIVE_INFINITY, // a logged request never changes
  });
}
