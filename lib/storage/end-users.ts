import { roundUsd } from "../domain/money";
import { getDb } from "./db";

/** An end user of the caller's application, as named by Helicone-User-Id. */
export interface EndUserSummary {
  userId: string;
  requestCount: number;
  traceCount: number;
  sessionCount: number;
  errorCount: number;
  costUsd: number;
  costComplete: boolean;
  firstSeen: Date;
  lastSeen: Date;
}

export interface EndUserListFilter {
  organizationId: string;
  search?: string;
  limit: number;
  /** users last seen before this (keyset on last activity) */
  before?: Date;
}

/**
 * Per Helicone-User-Id: requests, traces, sessions, errors, cost, first and last seen; most
 * recently seen first. One GROUP BY for the page on the (organizationId, userId, startTime)
 * index, then grouped look-ups restricted to the page's users.
 */
export async function listEndUsers(filter: EndUserListFilter): Promise<EndUserSummary[]> {
  const db = getDb();
  const groups = await db.request.groupBy({
    by: ["userId"],
    where: { organizationId: filter.organizationId, userId: filter.search ? { not: null, contains: filter.search } : { not: null } },
    _count: { _all: true },
    _sum: { costUsd: true },
    _min: { startTime: true },
    _max: { endTime: true },
    ...(filter.before ? { having: { endTime: { _max: { lt: filter.before } } } } : {}),
    orderBy: { _max: { endTime: "desc" } },
    take: filter.limit,
  });
  if (groups.length === 0) return [];
  const scope = { organizationId: filter.organizationId, userId: { in: groups.map((g) => g.userId!) } };
  const [traces, sessions, errors, unknownCosts] = await Promise.all([
    db.request.groupBy({ by: ["userId", "traceId"], where: { ...scope, traceId: { not: null } } }),
    db.request.groupBy({ by: ["userId", "sessionId"], where: { ...scope, sessionId: { not: null } } }),
    db.request.groupBy({ by: ["userId"], where: { ...scope, OR: [{ status: { lt: 200 } }, { status: { gte: 300 } }] }, _count: { _all: true } }),
    db.request.groupBy({ by: ["userId"], where: { ...scope, costUnknown: true }, _count: { _all: true } }),
  ]);
  const count = (rows: Array<{ userId: string | null }>) => {
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.userId!, (counts.get(row.userId!) ?? 0) + 1);
    return counts;
  };
  const tracesOf = count(traces);
  const sessionsOf = count(sessions);
  const errorsOf = new Map(errors.map((e) => [e.userId, e._count._all]));
  const unknownOf = new Set(unknownCosts.map((u) => u.userId));
  return groups.map((g) => ({
    userId: g.userId!,
    requestCount: g._count._all,
    traceCount: tracesOf.get(g.userId!) ?? 0,
    sessionCount: sessionsOf.get(g.userId!) ?? 0,
    errorCount: errorsOf.get(g.userId) ?? 0,
    costUsd: roundUsd(g._sum.costUsd ?? 0),
    costComplete: !unknownOf.has(g.userId),
    firstSeen: g._min.startTime!,
    lastSeen: g._max.endTime!,
  }));
}
