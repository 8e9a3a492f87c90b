import { withSession } from "@/lib/http/route";
import { revokeApiKeyForApi } from "@/lib/settings/api-keys";

export const runtime = "nodejs";

// DELETE /api/v1/keys/{id} – revoke an API key
export const DELETE = withSession<{ id: string }>((_request, { organizationId, params }) => revokeApiKeyForApi(organizationId, params.id));
