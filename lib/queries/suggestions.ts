import { queryOptions, useQuery } from "@tanstack/react-query";
import type { listModelsForApi } from "@/lib/read-api/list-models";
import { fetchJson } from "./api-client";

type ModelsResponse = Awaited<ReturnType<typeof listModelsForApi>>;
export interface PropertyKeysResponse {
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

/** The API paths of the keys above; the Dashboard page answers the first two on the server for its first view. */
export const suggestionPaths = {
  models: "/api/v1/models",
  propertyKeys: "/api/v1/properties",
  propertyValues: (key: string) => `/api/v1/properties?key=${encodeURIComponent(key)}&limit=50`,
};

const FIVE_MINUTES = 5 * 60_000;

export function useModelSuggestions() {
  return useQuery({
    queryKey: suggestionKeys.models,
    queryFn: () => fetchJson<ModelsResponse>(suggestionPaths.models),
    staleTime: FIVE_MINUTES,
  });
}

/** The property keys, most used first: the filter bar's suggestions, and the Dashboard's property breakdown's default. */
export const propertyKeysQuery = queryOptions({
  queryKey: suggestionKeys.propertyKeys,
  queryFn: () => fetchJson<PropertyKeysResponse>(suggestionPaths.propertyKeys),
  staleTime: FIVE_MINUTES,
});

export function usePropertyKeySuggestions() {
  return useQuery(propertyKeysQuery);
}

export function usePropertyValueSuggestions(key: string) {
  return useQuery({
    queryKey: suggestionKeys.propertyValues(key),
    queryFn: () => fetchJson<PropertyValuesResponse>(suggestionPaths.propertyValues(key)),
    enabled: key.length > 0,
    staleTime: FIVE_MINUTES,
  });
}
