import { withSession } from "@/lib/http/route";
import { createApiKeyForApi, listApiKeysForApi } from "@/lib/settings/api-keys";
import { readJson } from "@/lib/http/read-json";

export const runtime = "nodejs";

// GET /api/v1/keys – list API keys (signed-in users only)
export const GET = withSession((_request, { organizationId }) => listApiKeysForApi(organizationId));

// POST /api/v1/keys – create an API key, shown once
export const POST = withSession(async (request, { organizationId }) => createApiKeyForApi(organizationId, await readJson(request)));
