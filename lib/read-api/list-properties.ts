import { z } from "zod";
import { findPropertyKeys, findPropertyValues } from "../storage/properties";

export const listPropertiesQuerySchema = z.object({
  key: z.string().min(1).max(128).optional(),
  prefix: z.string().min(1).max(256).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/**
 * GET /api/v1/properties: the property keys seen, or with `key` the values seen for it, each with
 * how many requests carry it; for suggesting filters.
 */
export async function listPropertiesForApi(organizationId: string, searchParams: URLSearchParams) {
  const query = listPropertiesQuerySchema.parse(Object.fromEntries(searchParams));
  if (query.key) return { key: query.key.toLowerCase(), values: await findPropertyValues(organizationId, query.key, query.prefix, query.limit) };
  return { keys: await findPropertyKeys(organizationId, query.limit) };
}
