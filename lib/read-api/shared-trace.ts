/**
 * What a share link shows, to anyone holding it: the trace's tree as GET /api/v1/traces/{id}
 * writes it, minus what belongs to the organization rather than to the trace, and minus every
 * piece of logged content when the link shares none. Left out by the server, not hidden by the page:
 * - always: the session and end-user ids (they lead to the organization's other traffic), and
 *   request headers;
 * - without content: request and response bodies, error messages (a provider's message can quote
 *   the prompt) and properties (free-form values the caller logged). What remains is structure
 *   (node ids), timings, tokens, cost, models and status codes.
 */
import { findShareGrant, type TraceShareGrant } from "../auth/share-links";
import { notFound } from "../shared/api-error";
import { findRequest } from "../storage/requests";
import type { TraceRow } from "../storage/trace-rows";
import { findTraceRows } from "../storage/trace-rows";
import { traceExists } from "../storage/traces";
import { traceJsonChunks } from "./get-trace";
import { parseBody } from "./request-dto";

/** For the share page: the trace and what the link shows of it, or null (a 404). */
export async function findSharedTrace(token: string): Promise<{ traceId: string; content: boolean } | null> {
  const grant = await findShareGrant(token);
  if (!grant || !(await traceExists(grant.organizationId, grant.traceId))) return null;
  return { traceId: grant.traceId, content: grant.content };
}

/** GET /api/v1/shared/{token}: the shared trace, shaped as TraceResponse, in chunks to stream. */
export async function getSharedTraceJson(grant: TraceShareGrant): Promise<Iterable<Buffer>> {
  const rows = await findTraceRows(grant.organizationId, grant.traceId);
  if (rows.length === 0) throw notFound("shared trace");
  return traceJsonChunks(grant.traceId, rows.map(grant.content ? withoutOrganizationIds : withoutContent));
}

function withoutOrganizationIds(row: TraceRow): TraceRow {
  return { ...row, sessionId: null, userId: null };
}

function withoutContent(row: TraceRow): TraceRow {
  return { ...row, sessionId: null, userId: null, errorReason: null, properties: "{}" };
}

/**
 * GET /api/v1/shared/{token}/requests/{requestId}: one attempt's prompt and answer, for a link
 * that shares content and a request of its trace; anything else is a 404.
 */
export async function getSharedRequestBodies(grant: TraceShareGrant, requestId: string) {
  if (!grant.content) throw notFound("shared request content");
  const row = await findRequest(grant.organizationId, requestId);
  if (!row || row.traceId !== grant.traceId) throw notFound("shared request");
  return { requestBody: parseBody(row.body?.requestBody ?? null), responseBody: parseBody(row.body?.responseBody ?? null) };
}
