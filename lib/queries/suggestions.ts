import { useQuery } from "@tanstack/react-query";
import type { listModelsForApi } from "@/lib/read-api/list-models";
import { fetchJson } from "./api-client";

type ModelsResponse = Awaited<ReturnType<typeof listModelsForApi>>;
interface PropertyKeysResponse {
  keys: Array<{ key: string; count: number }>;
}
interface PropertyValuesResponse {
  key: string;
  values: Array<{ value: string; count: number }>;
}

export const suggestionKeys = {
  models: ["suggestions", "models"] as const,
  propertyKeys: ["suggestions", "property-keys"] as const,
  propertyValues: (key: string) => ["suggestions", "property-values", key] as const,
};

const FIVE_MINUTES = 5 * 60_000;

export function useModelSuggestions() {
  return useQuery({
    queryKey: suggestionKeys.models,
    queryFn: () => fetchJson<ModelsResponse>("/api/v1/models"),
    staleTime: FIVE_MINUTES,
  });
}

export function usePropertyKeySuggestions() {
  return useQuery({
    queryKey: suggestionKeys.propertyKeys,
    queryFn: () => fetchJson<PropertyKeysResponse>("/api/v1/properties"),
    staleTime: FIVE_MINUTES,
  });
}

export function usePropertyValueSuggestions(key: string) {
  return useQuery({
    queryKey: suggestionKeys.propertyValues(key),
    queryFn: () => fetchJson<PropertyValuesResponse>(`/api/v1/properties?key=${encodeURIComponent(key)}&limit=50`),
    enabled: key.length > 0,
    staleTime: FIVE_MINUTES,
  });
}
