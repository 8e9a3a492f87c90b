import { computeTraceMetrics } from "../domain/trace-metrics";
import { buildTraceTree } from "../domain/trace-tree";
import { roundUsd } from "../domain/money";
import { notFound } from "../shared/api-error";
import { findSessionRequests, type RequestRow } from "../storage/requests";
import { toRequestDto } from "./request-dto";

/** GET /api/v1/sessions/{sessionId}: its requests in time order, the traces they belong to, first start → last end. */
export async function getSessionForApi(organizationId: string, sessionId: string) {
  const rows = await findSessionRequests(organizationId, sessionId);
  if (rows.length === 0) throw notFound("session");

  const startMs = Math.min(...rows.map((r) => r.startTime.getTime()));
  const endMs = Math.max(...rows.map((r) => r.endTime.getTime()));
  const byTrace = new Map<string, RequestRow[]>();
  for (const row of rows) {
    if (row.traceId === null || row.nodeId === null) continue;
    byTrace.set(row.traceId, [...(byTrace.get(row.traceId) ?? []), row]);
  }

  return {
    sessionId,
    name: rows.find((r) => r.sessionName)?.sessionName ?? null,
    userIds: [...new Set(rows.map((r) => r.userId).filter((id): id is string => id !== null))],
    startTime: new Date(startMs).toISOString(),
    endTime: new Date(endMs).toISOString(),
    durationMs: endMs - startMs,
    requestCount: rows.length,
    totalCost: roundUsd(rows.reduce((sum, r) => sum + (r.costUsd ?? 0), 0)),
    costComplete: rows.every((r) => !r.costUnknown),
    traces: [...byTrace].map(([traceId, traceRows]) => {
      const tree = buildTraceTree(
        traceRows.map((r) => ({ ...r, nodeId: r.nodeId!, startMs: r.startTime.getTime(), endMs: r.endTime.getTime() })),
      );
      return { traceId, startTime: new Date(tree.nodes[0]!.subtreeStartMs).toISOString(), metrics: computeTraceMetrics(tree) };
    }),
    requests: rows.map(toRequestDto),
  };
}
