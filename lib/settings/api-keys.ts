import { z } from "zod";
import { notFound } from "../shared/api-error";
import { createApiKey, revokeApiKey } from "../auth/api-keys";
import { listApiKeys, type ApiKeySummary } from "../storage/api-keys";

export const createApiKeySchema = z.object({ name: z.string().trim().min(1).max(100) });

function toDto(key: ApiKeySummary) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

/** GET /api/v1/keys: the organization's keys (never the keys themselves), newest first. */
export async function listApiKeysForApi(organizationId: string) {
  return { data: (await listApiKeys(organizationId)).map(toDto) };
}

/** POST /api/v1/keys: a new key, returned in clear text this one time. */
export async function createApiKeyForApi(organizationId: string, body: unknown) {
  const { name } = createApiKeySchema.parse(body);
  const { key, apiKey } = await createApiKey(organizationId, name);
  return Response.json({ key, apiKey: toDto(apiKey) }, { status: 201 });
}

/** DELETE /api/v1/keys/{id}: revoked at once, on the proxy too (its cache of keys is dropped). */
export async function revokeApiKeyForApi(organizationId: string, id: string) {
  if (!(await revokeApiKey(organizationId, id))) throw notFound("active API key");
  return new Response(null, { status: 204 });
}
