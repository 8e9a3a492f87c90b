import { unionLengthMs, type Interval } from "./interval-union";
import { roundUsd } from "./money";
import { isSuccessStatus } from "./request-status";
import type { TraceRequest, TraceTree } from "./trace-tree";
import { isWastedAttempt } from "./wasted-spend";
// Their shape is part of the trace API's response and declared with it.
import type { TraceMetrics } from "../contracts/trace";

/**
 * The seed's five trace metrics and the trace's wasted spend, from an already built tree. O(n),
 * plus O(w log w) for the time of w wasted requests.
 */
export function computeTraceMetrics<R extends TraceRequest>(tree: TraceTree<R>): TraceMetrics {
  let totalCost = 0;
  let costComplete = true;
  let earliestStart = Number.POSITIVE_INFINITY;
  let latestEnd = Number.NEGATIVE_INFINITY;
  let requestCount = 0;
  let successCount = 0;
  let maxDepth = 0;
  let wastedCost = 0;
  const wasted: Interval[] = [];

  for (const node of tree.nodes) {
    maxDepth = Math.max(maxDepth, node.depth);
    const requests = node.requests;
    for (let r = 0; r < requests.length; r++) {
      const request = requests[r]!;
      requestCount++;
      totalCost += request.costUsd ?? 0;
      if (request.costUnknown) costComplete = false;
      if (isSuccessStatus(request.status)) successCount++;
      earliestStart = Math.min(earliestStart, request.startMs);
      latestEnd = Math.max(latestEnd, request.endMs);
      if (isWastedAttempt(requests, r)) {
        wastedCost += request.costUsd ?? 0;
        wasted.push(request);
      }
    }
  }

  return {
    totalCost: roundUsd(totalCost),
    costComplete,
    totalDurationMs: requestCount > 0 ? latestEnd - earliestStart : 0,
    nodeCount: requestCount,
    maxDepth,
    successRate: requestCount > 0 ? successCount / requestCount : 0,
    wastedCost: roundUsd(wastedCost),
    wastedDurationMs: unionLengthMs(wasted),
  };
}
