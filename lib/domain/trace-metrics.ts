import { roundUsd } from "./money";
import type { TraceRequest, TraceTree } from "./trace-tree";
// Their shape is part of the trace API's response and declared with it.
import type { TraceMetrics } from "../contracts/trace";

/** The seed's five trace metrics, from an already built tree. O(n). */
export function computeTraceMetrics<R extends TraceRequest>(tree: TraceTree<R>): TraceMetrics {
  let totalCost = 0;
  let costComplete = true;
  let earliestStart = Number.POSITIVE_INFINITY;
  let latestEnd = Number.NEGATIVE_INFINITY;
  let requestCount = 0;
  let successCount = 0;
  let maxDepth = 0;

  for (const node of tree.nodes) {
    maxDepth = Math.max(maxDepth, node.depth);
    for (const request of node.requests) {
      requestCount++;
      totalCost += request.costUsd ?? 0;
      if (request.costUnknown) costComplete = false;
      if (isSuccessStatus(request.status)) successCount++;
      earliestStart = Math.min(earliestStart, request.startMs);
      latestEnd = Math.max(latestEnd, request.endMs);
    }
  }

  return {
    totalCost: roundUsd(totalCost),
    costComplete,
    totalDurationMs: requestCount > 0 ? latestEnd - earliestStart : 0,
    nodeCount: requestCount,
    maxDepth,
    successRate: requestCount > 0 ? successCount / requestCount : 0,
  };
}

export function isSuccessStatus(status: number): boolean {
  return status >= 200 && status < 300;
}
