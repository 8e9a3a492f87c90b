import { withShareLink } from "@/lib/http/route";
import { getSharedRequestBodies } from "@/lib/read-api/shared-trace";

export const runtime = "nodejs";

// GET /api/v1/shared/{token}/requests/{requestId} – one request's prompt and answer, for a link that shares content
export const GET = withShareLink<{ token: string; requestId: string }>((_request, { grant, params }) => getSharedRequestBodies(grant, params.requestId));
