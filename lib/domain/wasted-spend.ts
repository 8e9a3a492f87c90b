import { isSuccessStatus } from "./request-status";

/**
 * Wasted spend is the cost of calls whose answer nobody used:
 * - a request that failed (status outside 2xx, exactly what the Requests page's status=error
 *   lists) or that its client cancelled (a stream abandoned half-way can carry a 200);
 * - an attempt that a retry on the same node replaced. Requests logged under one node id of one
 *   trace are that node's attempts (the trace view shows them so); every attempt but the last by
 *   start time, then id (the trace tree's order) was replaced, whatever its own status.
 * A request without a trace or a node id is nobody's attempt, so never replaced.
 */
export interface Attempt {
  id: string;
  traceId: string | null;
  nodeId: string | null;
  startMs: number;
}

export interface WasteInput {
  status: number;
  cancelled: boolean;
  /** a later attempt on the same trace node exists (replacedAttemptIds) */
  replaced: boolean;
}

export function isWasted({ status, cancelled, replaced }: WasteInput): boolean {
  return replaced || cancelled || !isSuccessStatus(status);
}

/** The order of a node's attempts, the trace tree's: the last one is the attempt that stands. */
export function byStartThenId(a: Pick<Attempt, "startMs" | "id">, b: Pick<Attempt, "startMs" | "id">): number {
  return a.startMs - b.startMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Whether attempt `index` of one trace node is wasted, its attempts sorted by byStartThenId (as
 * the trace tree holds them): replacedAttemptIds's rule for a single node, where every attempt
 * but the last was replaced.
 */
export function isWastedAttempt(attempts: readonly Pick<WasteInput, "status" | "cancelled">[], index: number): boolean {
  const { status, cancelled } = attempts[index]!;
  return isWasted({ status, cancelled, replaced: index < attempts.length - 1 });
}

/**
 * The ids of the attempts a later attempt replaced; arrival order never matters. A write path
 * that keeps totals learns what a late request changes by comparing this set for the node's
 * stored attempts with the set once the new ones are added. O(n).
 */
export function replacedAttemptIds(requests: Iterable<Attempt>): Set<string> {
  const lastByNode = new Map<string, Map<string, Attempt>>();
  const replaced = new Set<string>();
  for (const request of requests) {
    if (request.traceId === null || request.nodeId === null) continue;
    let nodes = lastByNode.get(request.traceId);
    if (!nodes) lastByNode.set(request.traceId, (nodes = new Map()));
    const last = nodes.get(request.nodeId);
    if (!last) {
      nodes.set(request.nodeId, request);
      continue;
    }
    const order = byStartThenId(request, last);
    // 0: the same request again (a replayed batch), which replaces nothing.
    if (order > 0) {
      replaced.add(last.id);
      nodes.set(request.nodeId, request);
    } else if (order < 0) replaced.add(request.id);
  }
  return replaced;
}
