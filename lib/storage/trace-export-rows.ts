import { getDb } from "./db";
import { requestListFields } from "./request-columns";
import { findRequestBodies } from "./request-bodies";

/**
 * Every request of a trace in this organization with its bodies, in no particular order: what an
 * export of the trace needs to rebuild it elsewhere. Read through Prisma: an export is a rare,
 * deliberate action, and its bodies dwarf the time Prisma spends on the rows. The bodies are read
 * by the requests' start times too (findRequestBodies: PostgreSQL reads only those days' partitions).
 */
export async function findTraceExportRows(organizationId: string, traceId: string) {
  const rows = await getDb().request.findMany({ where: { organizationId, traceId }, select: requestListFields });
  const bodies = new Map((await findRequestBodies(organizationId, rows)).map((body) => [body.requestId, body]));
  return rows.map((row) => ({ ...row, requestBody: bodies.get(row.id)?.requestBody ?? null, responseBody: bodies.get(row.id)?.responseBody ?? null }));
}

export type TraceExportRow = Awaited<ReturnType<typeof findTraceExportRows>>[number];
