import { withAuth } from "@/lib/http/route";
import { getSessionForApi } from "@/lib/read-api/get-session";

export const runtime = "nodejs";

// GET /api/v1/sessions/{sessionId} – a session's requests and traces, first start to last end
export const GET = withAuth<{ sessionId: string }>((_request, { organizationId, params }) => getSessionForApi(organizationId, params.sessionId));
