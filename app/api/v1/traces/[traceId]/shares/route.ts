import { readJson } from "@/lib/http/read-json";
import { withAuth } from "@/lib/http/route";
import { createTraceShareForApi, listTraceSharesForApi } from "@/lib/read-api/trace-shares";

export const runtime = "nodejs";

// GET /api/v1/traces/{traceId}/shares – the trace's share links (never the links themselves)
export const GET = withAuth<{ traceId: string }>((_request, { organizationId, params }) => listTraceSharesForApi(organizationId, params.traceId));

// POST /api/v1/traces/{traceId}/shares – a new read-only link to the trace, shown once
export const POST = withAuth<{ traceId: string }>(async (request, { organizationId, caller, params }) =>
  createTraceShareForApi(request, organizationId, caller, params.traceId, await readJson(request)),
);
