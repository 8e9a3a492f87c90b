import { buildTraceTree } from "../domain/trace-tree";
import { computeTraceMetrics } from "../domain/trace-metrics";
import { notFound } from "../http/api-error";
import { findTraceRequests, type RequestRow } from "../storage/requests";
import { toRequestDto } from "./request-dto";

/** GET /api/v1/traces/{traceId}: the tree, its metrics, and per node the attempts and rollups. */
export async function getTraceForApi(organizationId: string, traceId: string) {
  const rows = await findTraceRequests(organizationId, traceId);
  if (rows.length === 0) throw notFound("trace");
  return traceResponse(traceId, rows);
}

export function traceResponse(traceId: string, rows: RequestRow[]) {
  const tree = buildTraceTree(
    rows
      .filter((row): row is RequestRow & { nodeId: string } => row.nodeId !== null)
      .map((row) => ({ ...row, startMs: row.startTime.getTime(), endMs: row.endTime.getTime() })),
  );
  return {
    traceId,
    metrics: computeTraceMetrics(tree),
    nodes: tree.nodes.map((node) => ({
      id: node.id,
      parentId: node.parentId,
      depth: node.depth,
      virtual: node.isVirtual,
      onCriticalPath: node.onCriticalPath,
      selfLatencyMs: node.selfLatencyMs,
      subtreeLatencyMs: node.subtreeLatencyMs,
      subtreeCost: node.subtreeCostUsd,
      subtreeCostComplete: node.subtreeCostComplete,
      subtreeRequestCount: node.subtreeRequestCount,
      startTime: new Date(node.subtreeStartMs).toISOString(),
      endTime: new Date(node.subtreeEndMs).toISOString(),
      childIds: node.childIds,
      requests: node.requests.map(({ startMs, endMs, ...row }) => toRequestDto(row)),
    })),
  };
}
