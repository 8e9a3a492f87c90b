import { getDb } from "./db";

/**
 * Whether this organization logged any request in the trace: its page is otherwise not found.
 * One row on the (organizationId, traceId) index, not the whole tree.
 */
export async function traceExists(organizationId: string, traceId: string): Promise<boolean> {
  const found = await getDb().request.findFirst({ where: { organizationId, traceId }, select: { id: true } });
  return found !== null;
}
