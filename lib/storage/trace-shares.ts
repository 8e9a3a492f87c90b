import { getDb } from "./db";

/** A share link as a list shows it: never the token, only its first characters. */
export interface TraceShareSummary {
  id: string;
  traceId: string;
  prefix: string;
  content: boolean;
  createdAt: Date;
  /** the member who made it; null when made with an API key, or once that member is removed */
  createdByEmail: string | null;
}

/** What a link's token opens. */
export interface TraceShareGrant {
  id: string;
  organizationId: string;
  traceId: string;
  content: boolean;
}

const summaryFields = { id: true, traceId: true, prefix: true, content: true, createdAt: true, createdBy: { select: { email: true } } } as const;

function toSummary({ createdBy, ...share }: { id: string; traceId: string; prefix: string; content: boolean; createdAt: Date; createdBy: { email: string } | null }): TraceShareSummary {
  return { ...share, createdByEmail: createdBy?.email ?? null };
}

/**
 * Stores a link by its token's hash, unless the organization has sharing turned off (then null).
 *
 * The check and the insert are one transaction that first writes the organization's row (setting
 * sharingEnabled to what it is): that row lock orders it against disableSharing, which writes the
 * same row first. Whichever comes second sees the other's outcome, so no link made while sharing
 * is being turned off survives it (PostgreSQL re-reads the row after waiting for the lock; SQLite
 * runs one writer at a time).
 */
export async function saveTraceShare(share: {
  organizationId: string;
  traceId: string;
  tokenHash: string;
  prefix: string;
  content: boolean;
  createdByUserId: string | null;
}): Promise<TraceShareSummary | null> {
  return getDb().$transaction(async (tx) => {
    const { count } = await tx.organization.updateMany({ where: { id: share.organizationId, sharingEnabled: true }, data: { sharingEnabled: true } });
    if (count === 0) return null;
    return toSummary(await tx.traceShare.create({ data: share, select: summaryFields }));
  });
}

/** The organization's links, or one trace's, newest first. */
export async function listTraceShares(organizationId: string, traceId?: string): Promise<TraceShareSummary[]> {
  const rows = await getDb().traceShare.findMany({
    where: { organizationId, ...(traceId === undefined ? {} : { traceId }) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: summaryFields,
  });
  return rows.map(toSummary);
}

/** Deletes a link of this organization's trace; false when there is no such link. */
export async function deleteTraceShare(organizationId: string, traceId: string, id: string): Promise<boolean> {
  const { count } = await getDb().traceShare.deleteMany({ where: { id, organizationId, traceId } });
  return count > 0;
}

/**
 * The link with this token hash, or null. A link of an organization with sharing off is null too,
 * although turning sharing off deletes its links: a second lock on the same door.
 */
export async function findTraceShareByTokenHash(tokenHash: string): Promise<TraceShareGrant | null> {
  return getDb().traceShare.findFirst({
    where: { tokenHash, organization: { sharingEnabled: true } },
    select: { id: true, organizationId: true, traceId: true, content: true },
  });
}

export async function isSharingEnabled(organizationId: string): Promise<boolean> {
  const organization = await getDb().organization.findUnique({ where: { id: organizationId }, select: { sharingEnabled: true } });
  return organization?.sharingEnabled ?? false;
}

/**
 * Turns sharing on or off; off deletes every link of the organization in the same transaction
 * (see saveTraceShare for why the organization's row is written first). Returns how many links
 * were deleted.
 */
export async function setSharingEnabled(organizationId: string, enabled: boolean): Promise<{ revoked: number }> {
  return getDb().$transaction(async (tx) => {
    await tx.organization.update({ where: { id: organizationId }, data: { sharingEnabled: enabled } });
    if (enabled) return { revoked: 0 };
    const { count } = await tx.traceShare.deleteMany({ where: { organizationId } });
    return { revoked: count };
  });
}
