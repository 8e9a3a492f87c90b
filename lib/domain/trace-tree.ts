import { impliedParentOf } from "./node-id";
import { roundUsd } from "./money";
import { depthFirstOrder } from "./tree-order";

/** The part of a logged request the tree and its metrics need. Times are epoch milliseconds. */
export interface TraceRequest {
  id: string;
  nodeId: string;
  /** the parent the request itself names (path prefix, or an OTEL parent span id) */
  parentNodeId: string | null;
  status: number;
  startMs: number;
  endMs: number;
  costUsd: number | null;
  costUnknown: boolean;
}

export interface TraceNode<R extends TraceRequest = TraceRequest> {
  id: string;
  parentId: string | null;
  /** 1 at a root */
  depth: number;
  /** never logged itself: stands in for an ancestor named only by its descendants */
  isVirtual: boolean;
  /** the attempts logged under this node id, earliest first */
  requests: R[];
  childIds: string[];
  /** wall time of this node's own attempts; null for a virtual node */
  selfLatencyMs: number | null;
  subtreeStartMs: number;
  subtreeEndMs: number;
  subtreeLatencyMs: number;
  subtreeCostUsd: number;
  /** false when any request in the subtree has an unknown price */
  subtreeCostComplete: boolean;
  subtreeRequestCount: number;
  onCriticalPath: boolean;
}

export interface TraceTree<R extends TraceRequest = TraceRequest> {
  /** every node, parents before children, siblings by start time */
  nodes: TraceNode<R>[];
  rootIds: string[];
  byId: Map<string, TraceNode<R>>;
}

/**
 * Builds the trace tree from logged requests.
 *
 * - Requests sharing a node id are one node with several attempts.
 * - A parent that was never logged becomes a virtual node; its own parent is what its id implies
 *   (`a:b` → `a`), so a whole missing chain of ancestors is filled in. Arrival order never matters.
 * - Parent links that loop (possible with OTEL span ids from a faulty exporter) are cut at the
 *   node that started first, which then becomes a root; nothing is ever dropped.
 * - Costs and spans roll up bottom-up; the critical path is marked as Jaeger does (see
 *   markCriticalPath).
 *
 * Iterative throughout (no recursion, so a 10,000-level chain cannot overflow the stack); O(n log n)
 * for sorting siblings, O(n) otherwise.
 */
export function buildTraceTree<R extends TraceRequest>(requests: readonly R[]): TraceTree<R> {
  const byId = new Map<string, TraceNode<R>>();

  for (const request of requests) {
    let node = byId.get(request.nodeId);
    if (!node) {
      node = emptyNode<R>(request.nodeId, request.parentNodeId, false);
      byId.set(request.nodeId, node);
    }
    node.requests.push(request);
    if (node.parentId === null && request.parentNodeId !== null) node.parentId = request.parentNodeId;
  }

  for (const node of [...byId.values()]) {
    let missingId = node.parentId;
    while (missingId !== null && !byId.has(missingId)) {
      const impliedParent = impliedParentOf(missingId);
      byId.set(missingId, emptyNode<R>(missingId, impliedParent, true));
      missingId = impliedParent;
    }
  }

  breakParentCycles(byId);

  const rootIds: string[] = [];
  for (const node of byId.values()) {
    if (node.requests.length > 1) node.requests.sort(byStartThenId);
    if (node.parentId === null) rootIds.push(node.id);
    else byId.get(node.parentId)!.childIds.push(node.id);
  }

  rollUpDepthsAndSpans(byId, rootIds);
  const nodes = parentsFirst(byId, rootIds);
  rollUpCosts(byId, nodes);
  markCriticalPath(byId, rootIds);
  return { nodes, rootIds, byId };
}

function emptyNode<R extends TraceRequest>(id: string, parentId: string | null, isVirtual: boolean): TraceNode<R> {
  return {
    id,
    parentId,
    depth: 0,
    isVirtual,
    requests: [],
    childIds: [],
    selfLatencyMs: null,
    subtreeStartMs: Number.POSITIVE_INFINITY,
    subtreeEndMs: Number.NEGATIVE_INFINITY,
    subtreeLatencyMs: 0,
    subtreeCostUsd: 0,
    subtreeCostComplete: true,
    subtreeRequestCount: 0,
    onCriticalPath: false,
  };
}

function byStartThenId(a: TraceRequest, b: TraceRequest): number {
  return a.startMs - b.startMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Walks each parent chain once; a chain that comes back to itself is cut at its earliest node. */
function breakParentCycles<R extends TraceRequest>(byId: Map<string, TraceNode<R>>): void {
  // 0 unvisited, a walk's own number while on that walk, -1 once known to reach a root
  const mark = new Map<TraceNode<R>, number>();
  let walk = 0;
  const chain: TraceNode<R>[] = [];
  for (const start of byId.values()) {
    walk++;
    chain.length = 0;
    let node: TraceNode<R> | undefined = start;
    while (node && !mark.has(node)) {
      mark.set(node, walk);
      chain.push(node);
      node = node.parentId === null ? undefined : byId.get(node.parentId);
    }
    if (node && mark.get(node) === walk) {
      const loop = chain.slice(chain.indexOf(node));
      const earliest = loop.reduce((a, b) => (firstStart(b) < firstStart(a) ? b : a));
      earliest.parentId = null;
    }
    for (const member of chain) mark.set(member, -1);
  }
}

function firstStart(node: TraceNode): number {
  let earliest = Number.POSITIVE_INFINITY;
  for (const request of node.requests) earliest = Math.min(earliest, request.startMs);
  return earliest;
}

/** Depths top-down, then spans and request counts bottom-up (both independent of sibling order). */
function rollUpDepthsAndSpans<R extends TraceRequest>(byId: Map<string, TraceNode<R>>, rootIds: string[]): void {
  const queue = rootIds.map((id) => byId.get(id)!);
  for (const root of queue) root.depth = 1;
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    for (const childId of node.childIds) {
      const child = byId.get(childId)!;
      child.depth = node.depth + 1;
      queue.push(child);
    }
  }

  for (let i = queue.length - 1; i >= 0; i--) {
    const node = queue[i]!;
    if (node.requests.length > 0) {
      let ownStart = Number.POSITIVE_INFINITY;
      let ownEnd = Number.NEGATIVE_INFINITY;
      for (const request of node.requests) {
        ownStart = Math.min(ownStart, request.startMs);
        ownEnd = Math.max(ownEnd, request.endMs);
      }
      node.selfLatencyMs = ownEnd - ownStart;
      node.subtreeStartMs = Math.min(node.subtreeStartMs, ownStart);
      node.subtreeEndMs = Math.max(node.subtreeEndMs, ownEnd);
      node.subtreeRequestCount += node.requests.length;
    }
    node.subtreeLatencyMs = node.subtreeEndMs - node.subtreeStartMs;
    const parent = node.parentId === null ? undefined : byId.get(node.parentId);
    if (parent) {
      parent.subtreeStartMs = Math.min(parent.subtreeStartMs, node.subtreeStartMs);
      parent.subtreeEndMs = Math.max(parent.subtreeEndMs, node.subtreeEndMs);
      parent.subtreeRequestCount += node.subtreeRequestCount;
    }
  }
}

/**
 * Costs bottom-up over the ordered node list. Float sums depend on order, and this order is fixed
 * by start times and ids, so arrival order can never change a cost.
 */
function rollUpCosts<R extends TraceRequest>(byId: Map<string, TraceNode<R>>, ordered: TraceNode<R>[]): void {
  for (let i = ordered.length - 1; i >= 0; i--) {
    const node = ordered[i]!;
    for (const request of node.requests) {
      node.subtreeCostUsd += request.costUsd ?? 0;
      if (request.costUnknown) node.subtreeCostComplete = false;
    }
    node.subtreeCostUsd = roundUsd(node.subtreeCostUsd);
    const parent = node.parentId === null ? undefined : byId.get(node.parentId);
    if (parent) {
      parent.subtreeCostUsd += node.subtreeCostUsd;
      parent.subtreeCostComplete &&= node.subtreeCostComplete;
    }
  }
}

/** Depth-first, parents before children, roots and siblings ordered by when they started. */
function parentsFirst<R extends TraceRequest>(byId: Map<string, TraceNode<R>>, rootIds: string[]): TraceNode<R>[] {
  const byStart = (a: string, b: string) => {
    const x = byId.get(a)!;
    const y = byId.get(b)!;
    return x.subtreeStartMs - y.subtreeStartMs || (a < b ? -1 : a > b ? 1 : 0);
  };
  rootIds.sort(byStart);
  for (const node of byId.values()) if (node.childIds.length > 1) node.childIds.sort(byStart);
  return depthFirstOrder(byId, rootIds);
}

/**
 * Marks the chain that decides when the trace ends, as Jaeger computes it: start at the root whose
 * subtree ends last; within a node, take the child that finished last, then walk back to the child
 * that finished latest before that one started, and so on; descend into each child taken. Parallel
 * siblings that overlapped the chosen child are not critical; sequential steps before it are.
 * Roots are treated as the children of one implicit trace root.
 */
function markCriticalPath<R extends TraceRequest>(byId: Map<string, TraceNode<R>>, rootIds: string[]): void {
  const pending: string[][] = [rootIds];
  while (pending.length > 0) {
    const siblings = pending.pop()!.map((id) => byId.get(id)!);
    let boundary = Number.POSITIVE_INFINITY;
    for (;;) {
      let chosen: TraceNode<R> | undefined;
      for (const sibling of siblings) {
        if (sibling.onCriticalPath || sibling.subtreeEndMs > boundary) continue;
        if (!chosen || sibling.subtreeEndMs > chosen.subtreeEndMs) chosen = sibling;
      }
      if (!chosen) break;
      chosen.onCriticalPath = true;
      if (chosen.childIds.length > 0) pending.push(chosen.childIds);
      boundary = chosen.subtreeStartMs;
    }
  }
}
