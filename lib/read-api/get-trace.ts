import { buildTraceTree, type TraceRequest } from "../domain/trace-tree";
import { computeTraceMetrics } from "../domain/trace-metrics";
import { notFound } from "../http/api-error";
import { findTraceRequests, type RequestRow } from "../storage/requests";
import { parseJsonObject } from "./request-dto";

/** GET /api/v1/traces/{traceId}: the tree, its metrics, and per node the attempts and rollups. */
export async function getTraceForApi(organizationId: string, traceId: string) {
  const rows = await findTraceRequests(organizationId, traceId);
  if (rows.length === 0) throw notFound("trace");
  return traceResponse(traceId, rows);
}

interface TracedRow extends TraceRequest {
  row: RequestRow;
}

// Built field by field, not by spreading rows: a 10,000-node trace is 10,000 of these.
export function traceResponse(traceId: string, rows: RequestRow[]) {
  const traced: TracedRow[] = [];
  for (const row of rows) {
    if (row.nodeId === null) continue;
    traced.push({
      id: row.id,
      nodeId: row.nodeId,
      parentNodeId: row.parentNodeId,
      status: row.status,
      startMs: row.startTime.getTime(),
      endMs: row.endTime.getTime(),
      costUsd: row.costUsd,
      costUnknown: row.costUnknown,
      row,
    });
  }
  const tree = buildTraceTree(traced);
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
      requests: node.requests.map(({ row }) => traceRequestDto(row)),
    })),
  };
}

/** A node's request in the trace view: what a node card and its panel show; bodies via /requests/{id}. */
function traceRequestDto(row: RequestRow) {
  return {
    id: row.id,
    source: row.source,
    status: row.status,
    errorReason: row.errorReason,
    cancelled: row.cancelled,
    provider: row.provider,
    model: row.model,
    path: row.path,
    startTime: row.startTime.toISOString(),
    endTime: row.endTime.toISOString(),
    latencyMs: row.latencyMs,
    timeToFirstTokenMs: row.timeToFirstTokenMs,
    stream: row.stream,
    cost: row.costUsd,
    costUnknown: row.costUnknown,
    promptTokens: row.promptTokens,
    completionTokens: row.completionTokens,
    cachedTokens: row.cachedTokens,
    tokensEstimated: row.tokensEstimated,
    sessionId: row.sessionId,
    userId: row.userId,
    properties: row.properties === "{}" ? {} : parseJsonObject(row.properties),
  };
}
