import { withAuth } from "@/lib/http/route";
import { revokeTraceShareForApi } from "@/lib/read-api/trace-shares";

export const runtime = "nodejs";

// DELETE /api/v1/traces/{traceId}/shares/{id} – revoke a share link at once
export const DELETE = withAuth<{ traceId: string; id: string }>((_request, { organizationId, params }) =>
  revokeTraceShareForApi(organizationId, params.traceId, params.id),
);
