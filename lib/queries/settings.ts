import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { listApiKeysForApi } from "@/lib/settings/api-keys";
import type { listMembersForApi } from "@/lib/settings/members";
import type { getRetentionForApi } from "@/lib/settings/retention";
import { fetchJson } from "./api-client";

export type ApiKeyItem = Awaited<ReturnType<typeof listApiKeysForApi>>["data"][number];
export type MemberItem = Awaited<ReturnType<typeof listMembersForApi>>["data"][number];

export const settingsKeys = {
  apiKeys: ["settings", "api-keys"] as const,
  members: ["settings", "members"] as const,
};

export function useApiKeys() {
  return useQuery({ queryKey: settingsKeys.apiKeys, queryFn: () => fetchJson<{ data: ApiKeyItem[] }>("/api/v1/keys") });
}

export function useCreateApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => fetchJson<{ key: string; apiKey: ApiKeyItem }>("/api/v1/keys", { method: "POST", body: JSON.stringify({ name }) }),
    onSuccess: () => client.invalidateQueries({ queryKey: settingsKeys.apiKeys }),
  });
}

export function useRevokeApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => fetchJson<void>(`/api/v1/keys/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => client.invalidateQueries({ queryKey: settingsKeys.apiKeys }),
  });
}

export function useMembers() {
  return useQuery({ queryKey: settingsKeys.members, queryFn: () => fetchJson<{ data: MemberItem[] }>("/api/v1/members") });
}

export function useInviteMember() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (member: { email: string; name?: string; role: "admin" | "member" }) =>
      fetchJson<{ member: MemberItem; password: string }>("/api/v1/members", { method: "POST", body: JSON.stringify(member) }),
    onSuccess: () => client.invalidateQueries({ queryKey: settingsKeys.members }),
  });
}

export function useRemoveMember() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => fetchJson<void>(`/api/v1/members/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => client.invalidateQueries({ queryKey: settingsKeys.members }),
  });
}

export type RetentionSetting = Awaited<ReturnType<typeof getRetentionForApi>>;

export const retentionKey = ["settings", "retention"] as const;

export function useRetentionSetting() {
  return useQuery({ queryKey: retentionKey, queryFn: () => fetchJson<RetentionSetting>("/api/v1/retention") });
}

export function useSetRetention() {
  const client = useQueryClient();
  return useMutation({
    /** null: follow the server's RETENTION_DAYS; anything but a whole number of days ≥ 1 is refused with the reason */
    mutationFn: (days: number | string | null) => fetchJson<RetentionSetting>("/api/v1/retention", { method: "PUT", body: JSON.stringify({ days }) }),
    onSuccess: (setting) => client.setQueryData(retentionKey, setting),
  });
}
