import { getDb } from "./db";
import { requestListFields } from "./request-columns";

/**
 * Every request of a trace in this organization with its bodies, in no particular order: what an
 * export of the trace needs to rebuild it elsewhere. Read through Prisma: an export is a rare,
 * deliberate action, and its bodies dwarf the time Prisma spends on the rows.
 */
export async function findTraceExportRows(organizationId: string, traceId: string) {
  const rows = await getDb().request.findMany({
    where: { organizationId, traceId },
    select: { ...requestListFields, body: { select: { requestBody: true, responseBody: true } } },
  });
  return rows.map(({ body, ...row }) => ({ ...row, requestBody: body?.requestBody ?? null, responseBody: body?.responseBody ?? null }));
}

export type TraceExportRow = Awaited<ReturnType<typeof findTraceExportRows>>[number];
