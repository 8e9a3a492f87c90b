import { bearerToken } from "../ingest/helicone-headers";
import { authenticateApiKey } from "../ingest/api-key-auth";
import { toErrorResponse, unauthorized } from "./api-error";

export interface ApiContext<P> {
  organizationId: string;
  params: P;
}

/** The caller's organization from `Authorization: Bearer <key>` (or Helicone-Auth). */
export async function organizationFromRequest(request: Request): Promise<string> {
  const key = bearerToken(request.headers.get("authorization")) ?? bearerToken(request.headers.get("helicone-auth"));
  if (!key) throw unauthorized('Send your API key as "Authorization: Bearer <key>".');
  const organizationId = await authenticateApiKey(key);
  if (!organizationId) throw unauthorized("Invalid or revoked API key.");
  return organizationId;
}

/** Wraps a route handler: authenticates, resolves params, maps every error to one JSON shape. */
export function withApiKey<P>(handler: (request: Request, context: ApiContext<P>) => Promise<unknown>) {
  return async (request: Request, { params }: { params: Promise<P> }): Promise<Response> => {
    try {
      const organizationId = await organizationFromRequest(request);
      const result = await handler(request, { organizationId, params: await params });
      return result instanceof Response ? result : Response.json(result);
    } catch (error) {
      const { status, headers, body } = toErrorResponse(error);
      return Response.json(body, { status, headers });
    }
  };
}
