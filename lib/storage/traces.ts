import { getDb } from "./db";

/**
 * Whether this organization logged any request in the trace: its page is otherwise not found.
 * One row on the (organizationId, traceId) index, not the whole tree.
 */
/**
 * How many of the trace's requests the trace API shows (those placed by a node id): a live view
 * compares it with what it has. Counted on the (organizationId, traceId, nodeId, …) index.
 */
export async function countTraceRequests(organizationId: string, traceId: string): Promise<number> {
  return getDb().request.count({ where: { organizationId, traceId, nodeId: { not: null } } });
}

export async function traceExists(organizationId: string, traceId: string): Promise<boolean> {
  const found = await getDb().request.findFirst({ where: { organizationId, traceId }, select: { id: true } });
  return found !== null;
}
