import { z } from "zod";
import { generateShareToken, hashShareToken, sharePath, shareTokenPrefix } from "../auth/share-links";
import type { Caller } from "../http/route";
import { publicUrl } from "../http/public-url";
import { ApiError, notFound } from "../shared/api-error";
import { deleteTraceShare, listTraceShares, saveTraceShare, type TraceShareSummary } from "../storage/trace-shares";
import { traceExists } from "../storage/traces";

export const createTraceShareSchema = z.strictObject({
  content: z.boolean({ error: "content must be true (the link shows prompts and answers) or false (only structure, timings, cost and status)" }),
});

function toDto(share: TraceShareSummary) {
  return {
    id: share.id,
    traceId: share.traceId,
    content: share.content,
    /** the token's first characters: the link itself is shown only when it is made */
    prefix: share.prefix,
    createdAt: share.createdAt.toISOString(),
    createdBy: share.createdByEmail,
  };
}

export const sharingDisabled = () =>
  new ApiError("sharing_disabled", "Sharing is turned off for this organization; an admin can turn it on under Settings → Shared links.", 403);

async function requireTrace(organizationId: string, traceId: string): Promise<void> {
  if (!(await traceExists(organizationId, traceId))) throw notFound("trace");
}

/**
 * POST /api/v1/traces/{traceId}/shares: a new link to a read-only view of the trace, with its
 * prompts and answers or without. The link is in the answer this one time (only its hash is kept).
 */
export async function createTraceShareForApi(request: Request, organizationId: string, caller: Caller, traceId: string, body: unknown) {
  const { content } = createTraceShareSchema.parse(body);
  await requireTrace(organizationId, traceId);
  const token = generateShareToken();
  const share = await saveTraceShare({
    organizationId,
    traceId,
    tokenHash: hashShareToken(token),
    prefix: shareTokenPrefix(token),
    content,
    createdByUserId: caller.kind === "user" ? caller.userId : null,
  });
  if (!share) throw sharingDisabled();
  return Response.json({ ...toDto(share), url: publicUrl(request, sharePath(token)) }, { status: 201 });
}

/** GET /api/v1/traces/{traceId}/shares: the trace's live links, newest first. */
export async function listTraceSharesForApi(organizationId: string, traceId: string) {
  await requireTrace(organizationId, traceId);
  return { data: (await listTraceShares(organizationId, traceId)).map(toDto) };
}

/** GET /api/v1/shares: every live link of the organization, newest first (Settings). */
export async function listOrganizationSharesForApi(organizationId: string) {
  return { data: (await listTraceShares(organizationId)).map(toDto) };
}

/** DELETE /api/v1/traces/{traceId}/shares/{id}: the link answers 404 from now on. */
export async function revokeTraceShareForApi(organizationId: string, traceId: string, id: string) {
  if (!(await deleteTraceShare(organizationId, traceId, id))) throw notFound("share");
  return new Response(null, { status: 204 });
}
