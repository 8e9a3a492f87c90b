import { roundUsd } from "../domain/money";
import { getDb } from "./db";

export interface SessionSummary {
  sessionId: string;
  name: string | null;
  userIds: string[];
  requestCount: number;
  traceCount: number;
  errorCount: number;
  costUsd: number;
  costComplete: boolean;
  startTime: Date;
  endTime: Date;
  /** when its last request started: the order of the list and its cursor */
  lastStartTime: Date;
}

export interface SessionListFilter {
  organizationId: string;
  /** part of the session id or name */
  search?: string;
  userId?: string;
  limit: number;
  /** sessions whose last request started before this (keyset on last activity) */
  before?: Date;
}

/**
 * Sessions, most recently active first: one GROUP BY for the page (count, cost, first start, last
 * end, last start), then small grouped look-ups for the page's names, users, traces and errors.
 * Uses the (organizationId, sessionId, startTime) index.
 */
export async function listSessions(filter: SessionListFilter): Promise<SessionSummary[]> {
  const db = getDb();
  // A name given on some requests only still finds the session through those requests.
  const where = {
    organizationId: filter.organizationId,
    sessionId: { not: null },
    ...(filter.userId ? { userId: filter.userId } : {}),
    ...(filter.search ? { OR: [{ sessionId: { contains: filter.search } }, { sessionName: { contains: filter.search } }] } : {}),
  };
  const groups = await db.request.groupBy({
    by: ["sessionId"],
    where,
    _count: { _all: true },
    _sum: { costUsd: true },
    _min: { startTime: true },
    _max: { startTime: true, endTime: true },
    ...(filter.before ? { having: { startTime: { _max: { lt: filter.before } } } } : {}),
    orderBy: { _max: { startTime: "desc" } },
    take: filter.limit,
  });
  if (groups.length === 0) return [];
  const ids = groups.map((g) => g.sessionId!);
  const scope = { organizationId: filter.organizationId, sessionId: { in: ids } };
  const [names, users, traces, errors, unknownCosts] = await Promise.all([
    db.request.groupBy({ by: ["sessionId", "sessionName"], where: { ...scope, sessionName: { not: null } } }),
    db.request.groupBy({ by: ["sessionId", "userId"], where: { ...scope, userId: { not: null } } }),
    db.request.groupBy({ by: ["sessionId", "traceId"], where: { ...scope, traceId: { not: null } } }),
    db.request.groupBy({ by: ["sessionId"], where: { ...scope, OR: [{ status: { lt: 200 } }, { status: { gte: 300 } }] }, _count: { _all: true } }),
    db.request.groupBy({ by: ["sessionId"], where: { ...scope, costUnknown: true }, _count: { _all: true } }),
  ]);
  const nameOf = new Map(names.map((n) => [n.sessionId, n.sessionName]));
  const usersOf = groupValues(users.map((u) => [u.sessionId!, u.userId!]));
  const tracesOf = groupValues(traces.map((t) => [t.sessionId!, t.traceId!]));
  const errorsOf = new Map(errors.map((e) => [e.sessionId, e._count._all]));
  const unknownOf = new Set(unknownCosts.map((u) => u.sessionId));
  return groups.map((g) => ({
    sessionId: g.sessionId!,
    name: nameOf.get(g.sessionId) ?? null,
    userIds: usersOf.get(g.sessionId!) ?? [],
    requestCount: g._count._all,
    traceCount: tracesOf.get(g.sessionId!)?.length ?? 0,
    errorCount: errorsOf.get(g.sessionId) ?? 0,
    costUsd: roundUsd(g._sum.costUsd ?? 0),
    costComplete: !unknownOf.has(g.sessionId),
    startTime: g._min.startTime!,
    endTime: g._max.endTime!,
    lastStartTime: g._max.startTime!,
  }));
}

function groupValues(pairs: Array<[string, string]>): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of pairs) grouped.set(key, [...(grouped.get(key) ?? []), value]);
  return grouped;
}

/** Whether this organization logged any request in the session: its page is otherwise not found. */
export async function sessionExists(organizationId: string, sessionId: string): Promise<boolean> {
  const found = await getDb().request.findFirst({ where: { organizationId, sessionId }, select: { id: true } });
  return found !== null;
}
