import { subtreeUnionLengthsMs, type PlacedInterval } from "./interval-union";
import { impliedParentOf } from "./node-id";
import { roundUsd } from "./money";
import { byStartThenId, isWastedAttempt } from "./wasted-spend";

/** The part of a logged request the tree and its metrics need. Times are epoch milliseconds. */
export interface TraceRequest {
  id: string;
  nodeId: string;
  /** the parent the request itself names (path prefix, or an OTEL parent span id) */
  parentNodeId: string | null;
  status: number;
  /** its client abandoned it (a stream cut short): wasted whatever its status (wasted-spend.ts) */
  cancelled: boolean;
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
  /** known cost of the subtree's wasted requests: failed, cancelled or replaced by a retry (wasted-spend.ts) */
  subtreeWastedCostUsd: number;
  /** time during which at least one of the subtree's wasted requests was running (their union) */
  subtreeWastedDurationMs: number;
  onCriticalPath: boolean;
}

export interface TraceTree<R extends TraceRequest = TraceRequest> {
  /** every node, parents before children, siblings by start time */
  nodes: TraceNode<R>[];
  rootIds: string[];
  /** built on first use */
  readonly byId: Map<string, TraceNode<R>>;
}

/**
 * Builds the trace tree from logged requests.
 *
 * - Requests sharing a node id are one node with several attempts.
 * - A parent that was never logged becomes a virtual node; its own parent is what its id implies
 *   (`a:b` → `a`), so a whole missing chain of ancestors is filled in. Arrival order never matters.
 * - Parent links that loop (possible with OTEL span ids from a faulty exporter) are cut at the
 *   node that started first, which then becomes a root; nothing is ever dropped.
 * - Costs, spans and wasted spend roll up bottom-up; the critical path is marked as Jaeger does
 *   (see markCriticalPath).
 *
 * Iterative throughout (no recursion, so a 10,000-level chain cannot overflow the stack); O(n log n)
 * for sorting siblings and for the wasted time of every subtree, O(n) otherwise. Node ids are
 * looked up once each, to number the nodes; after that the walks run over those numbers in typed
 * arrays (for a 10,000-node trace, looking ids up in a Map at every step cost more than the rest
 * of the build).
 */
export function buildTraceTree<R extends TraceRequest>(requests: readonly R[]): TraceTree<R> {
  const indexById = new Map<string, number>();
  const all: TraceNode<R>[] = [];

  for (const request of requests) {
    const index = indexById.get(request.nodeId);
    if (index === undefined) {
      indexById.set(request.nodeId, all.length);
      all.push(emptyNode<R>(request.nodeId, request.parentNodeId, false, request));
      continue;
    }
    const node = all[index]!;
    node.requests.push(request);
    if (node.parentId === null && request.parentNodeId !== null) node.parentId = request.parentNodeId;
  }

  // Virtual ancestors; the loop also visits the nodes it adds, whose parents it has just added.
  for (let i = 0; i < all.length; i++) {
    let missingId = all[i]!.parentId;
    while (missingId !== null && !indexById.has(missingId)) {
      const impliedParent = impliedParentOf(missingId);
      indexById.set(missingId, all.length);
      all.push(emptyNode<R>(missingId, impliedParent, true));
      missingId = impliedParent;
    }
  }

  const count = all.length;
  const parent = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const parentId = all[i]!.parentId;
    parent[i] = parentId === null ? -1 : indexById.get(parentId)!;
  }
  breakParentCycles(all, parent);

  for (const node of all) if (node.requests.length > 1) node.requests.sort(byStartThenId);

  const tree = new IndexedTree(all, parent);
  rollUpDepthsAndSpans(tree);
  tree.sortSiblings();
  const ordered = tree.depthFirst();
  rollUpCosts(tree, ordered);
  rollUpWastedTime(tree, ordered);
  markCriticalPath(tree);

  const nodes = new Array<TraceNode<R>>(count);
  for (let k = 0; k < count; k++) nodes[k] = all[ordered[k]!]!;
  for (let i = 0; i < count; i++) {
    const { start, end } = tree.childRange(i);
    if (end === start) continue;
    const childIds = new Array<string>(end - start);
    for (let c = start; c < end; c++) childIds[c - start] = all[tree.children[c]!]!.id;
    all[i]!.childIds = childIds;
  }
  const rootIds = Array.from(tree.roots, (i) => all[i]!.id);
  // Built on first use: serializing a trace never looks nodes up by id.
  let byId: Map<string, TraceNode<R>> | undefined;
  return {
    nodes,
    rootIds,
    get byId() {
      return (byId ??= new Map(nodes.map((node) => [node.id, node])));
    },
  };
}

/** A node without rollups yet; arrays sized exactly (an empty array's first push reserves 17 slots). */
function emptyNode<R extends TraceRequest>(id: string, parentId: string | null, isVirtual: boolean, firstRequest?: R): TraceNode<R> {
  return {
    id,
    parentId,
    depth: 0,
    isVirtual,
    requests: firstRequest === undefined ? [] : [firstRequest],
    childIds: [],
    selfLatencyMs: null,
    subtreeStartMs: Number.POSITIVE_INFINITY,
    subtreeEndMs: Number.NEGATIVE_INFINITY,
    subtreeLatencyMs: 0,
    subtreeCostUsd: 0,
    subtreeCostComplete: true,
    subtreeRequestCount: 0,
    subtreeWastedCostUsd: 0,
    subtreeWastedDurationMs: 0,
    onCriticalPath: false,
  };
}

/**
 * Walks each parent chain once; a chain that comes back to itself is cut at its earliest node.
 * `parent` holds each node's parent number, -1 at a root.
 */
function breakParentCycles<R extends TraceRequest>(all: TraceNode<R>[], parent: Int32Array): void {
  // 0 unvisited, a walk's own number while on that walk, -1 once known to reach a root
  const mark = new Int32Array(all.length);
  let walk = 0;
  const chain: number[] = [];
  for (let start = 0; start < all.length; start++) {
    if (mark[start] !== 0) continue;
    walk++;
    chain.length = 0;
    let i = start;
    while (i !== -1 && mark[i] === 0) {
      mark[i] = walk;
      chain.push(i);
      i = parent[i]!;
    }
    if (i !== -1 && mark[i] === walk) {
      const loop = chain.slice(chain.indexOf(i));
      const earliest = loop.reduce((a, b) => (firstStart(all[b]!) < firstStart(all[a]!) ? b : a));
      parent[earliest] = -1;
      all[earliest]!.parentId = null;
    }
    for (const member of chain) mark[member] = -1;
  }
}

function firstStart(node: TraceNode): number {
  let earliest = Number.POSITIVE_INFINITY;
  for (const request of node.requests) earliest = Math.min(earliest, request.startMs);
  return earliest;
}

/** The nodes by number: parents, children lists (one shared array), roots. */
class IndexedTree<R extends TraceRequest> {
  /** every node's children, node by node; node i's are children[childStart[i] … childStart[i + 1]) */
  readonly children: Int32Array;
  private readonly childStart: Int32Array;
  readonly roots: number[] = [];

  constructor(
    readonly all: TraceNode<R>[],
    readonly parent: Int32Array,
  ) {
    const count = all.length;
    this.childStart = new Int32Array(count + 1);
    for (let i = 0; i < count; i++) {
      if (parent[i] === -1) this.roots.push(i);
      else this.childStart[parent[i]! + 1]!++;
    }
    for (let i = 0; i < count; i++) this.childStart[i + 1]! += this.childStart[i]!;
    this.children = new Int32Array(count);
    const next = this.childStart.slice(0, count);
    for (let i = 0; i < count; i++) if (parent[i] !== -1) this.children[next[parent[i]!]!++] = i;
  }

  childRange(i: number): { start: number; end: number } {
    return { start: this.childStart[i]!, end: this.childStart[i + 1]! };
  }

  /** Roots and each node's children by when their subtrees start, then by id. */
  sortSiblings(): void {
    const all = this.all;
    const byStart = (a: number, b: number) => {
      const x = all[a]!;
      const y = all[b]!;
      return x.subtreeStartMs - y.subtreeStartMs || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
    };
    this.roots.sort(byStart);
    for (let i = 0; i < all.length; i++) {
      const start = this.childStart[i]!;
      const end = this.childStart[i + 1]!;
      if (end - start > 1) this.children.subarray(start, end).sort(byStart);
    }
  }

  /** Depth-first, parents before children, roots and siblings in their (sorted) order. */
  depthFirst(): Int32Array {
    const ordered = new Int32Array(this.all.length);
    const stack: number[] = [];
    for (let r = this.roots.length - 1; r >= 0; r--) stack.push(this.roots[r]!);
    let k = 0;
    while (stack.length > 0) {
      const i = stack.pop()!;
      ordered[k++] = i;
      for (let c = this.childStart[i + 1]! - 1; c >= this.childStart[i]!; c--) stack.push(this.children[c]!);
    }
    return ordered;
  }
}

/** Depths top-down, then spans and request counts bottom-up (both independent of sibling order). */
function rollUpDepthsAndSpans<R extends TraceRequest>(tree: IndexedTree<R>): void {
  const { all, parent, children } = tree;
  const queue = new Int32Array(all.length);
  let length = 0;
  for (const root of tree.roots) {
    all[root]!.depth = 1;
    queue[length++] = root;
  }
  for (let q = 0; q < length; q++) {
    const i = queue[q]!;
    const depth = all[i]!.depth + 1;
    const { start, end } = tree.childRange(i);
    for (let c = start; c < end; c++) {
      all[children[c]!]!.depth = depth;
      queue[length++] = children[c]!;
    }
  }

  for (let q = length - 1; q >= 0; q--) {
    const i = queue[q]!;
    const node = all[i]!;
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
    if (parent[i] !== -1) {
      const up = all[parent[i]!]!;
      up.subtreeStartMs = Math.min(up.subtreeStartMs, node.subtreeStartMs);
      up.subtreeEndMs = Math.max(up.subtreeEndMs, node.subtreeEndMs);
      up.subtreeRequestCount += node.subtreeRequestCount;
    }
  }
}

/**
 * Costs bottom-up over the depth-first order. Float sums depend on order, and this order is fixed
 * by start times and ids, so arrival order can never change a cost.
 */
function rollUpCosts<R extends TraceRequest>(tree: IndexedTree<R>, ordered: Int32Array): void {
  const { all, parent } = tree;
  for (let k = ordered.length - 1; k >= 0; k--) {
    const i = ordered[k]!;
    const node = all[i]!;
    const requests = node.requests;
    for (let r = 0; r < requests.length; r++) {
      const request = requests[r]!;
      node.subtreeCostUsd += request.costUsd ?? 0;
      if (request.costUnknown) node.subtreeCostComplete = false;
      if (isWastedAttempt(requests, r)) node.subtreeWastedCostUsd += request.costUsd ?? 0;
    }
    node.subtreeCostUsd = roundUsd(node.subtreeCostUsd);
    node.subtreeWastedCostUsd = roundUsd(node.subtreeWastedCostUsd);
    if (parent[i] !== -1) {
      const up = all[parent[i]!]!;
      up.subtreeCostUsd += node.subtreeCostUsd;
      up.subtreeCostComplete &&= node.subtreeCostComplete;
      up.subtreeWastedCostUsd += node.subtreeWastedCostUsd;
    }
  }
}

/**
 * Each subtree's wasted time: the union of its wasted requests' intervals (subtreeUnionLengthsMs
 * over the depth-first order, where a subtree is a run of positions). Nothing more to do when no
 * request was wasted.
 */
function rollUpWastedTime<R extends TraceRequest>(tree: IndexedTree<R>, ordered: Int32Array): void {
  const { all, parent } = tree;
  const wasted: PlacedInterval[] = [];
  for (let k = 0; k < ordered.length; k++) {
    const requests = all[ordered[k]!]!.requests;
    for (let r = 0; r < requests.length; r++) {
      if (isWastedAttempt(requests, r)) wasted.push({ position: k, startMs: requests[r]!.startMs, endMs: requests[r]!.endMs });
    }
  }
  if (wasted.length === 0) return;
  const count = ordered.length;
  // Subtree sizes bottom-up: children come after their parents in the depth-first order.
  const size = new Int32Array(all.length).fill(1);
  for (let k = count - 1; k >= 0; k--) {
    const i = ordered[k]!;
    if (parent[i] !== -1) size[parent[i]!]! += size[i]!;
  }
  const subtreeEnd = new Int32Array(count);
  for (let k = 0; k < count; k++) subtreeEnd[k] = k + size[ordered[k]!]!;
  const lengths = subtreeUnionLengthsMs(subtreeEnd, wasted);
  for (let k = 0; k < count; k++) all[ordered[k]!]!.subtreeWastedDurationMs = lengths[k]!;
}

/**
 * Marks the chain that decides when the trace ends, as Jaeger computes it: start at the root whose
 * subtree ends last; within a node, take the child that finished last, then walk back to the child
 * that finished latest before that one started, and so on; descend into each child taken. Parallel
 * siblings that overlapped the chosen child are not critical; sequential steps before it are.
 * Roots are treated as the children of one implicit trace root.
 */
function markCriticalPath<R extends TraceRequest>(tree: IndexedTree<R>): void {
  const { all, children } = tree;
  // sibling groups as [start, end) ranges: of `roots`, or of `children`
  const pending: { list: ArrayLike<number>; start: number; end: number }[] = [{ list: tree.roots, start: 0, end: tree.roots.length }];
  while (pending.length > 0) {
    const { list, start, end } = pending.pop()!;
    let boundary = Number.POSITIVE_INFINITY;
    for (;;) {
      let chosen: TraceNode<R> | undefined;
      let chosenIndex = -1;
      for (let s = start; s < end; s++) {
        const sibling = all[list[s]!]!;
        if (sibling.onCriticalPath || sibling.subtreeEndMs > boundary) continue;
        if (!chosen || sibling.subtreeEndMs > chosen.subtreeEndMs) {
          chosen = sibling;
          chosenIndex = list[s]!;
        }
      }
      if (!chosen) break;
      chosen.onCriticalPath = true;
      const range = tree.childRange(chosenIndex);
      if (range.end > range.start) pending.push({ list: children, start: range.start, end: range.end });
      boundary = chosen.subtreeStartMs;
    }
  }
}
