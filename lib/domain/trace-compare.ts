import type { TraceMetrics } from "../contracts/trace";
import {
  type ComparedNode,
  type ComparedNodeDeltas,
  type ComparedNodeSide,
  type NodeChange,
  type TraceCompareResponse,
  type TraceMetricDeltas,
} from "../contracts/trace-compare";
import type { ExchangeText } from "./exchange-text";
import { roundUsd } from "./money";
import { NODE_ID_SEPARATOR } from "./node-id";
import type { TraceNode, TraceRequest, TraceTree } from "./trace-tree";

/**
 * Compares two traces node by node, for runs of the same agent (today's and yesterday's).
 *
 * Nodes are aligned by path (ComparedNode.path): a Helicone node id without its trace segment, so
 * `run-1:plan:search` and `run-2:plan:search` are one node; an OTLP span has a random id, so its
 * path is the chain of span names from its nearest Helicone ancestor (or a root), each with its
 * index among same-named siblings in start order. A node is `changed` when its status code, model,
 * cost, tokens or prompt/answer text differ, or its latency by more than max(100 ms, 20 % of a's).
 *
 * Depends on the trees only, which arrival order never changes; O(n log n) for ordering siblings,
 * O(n) otherwise.
 */
export interface ComparableRequest extends TraceRequest {
  model: string | null;
  /** the OTLP span's name (the URL path for a proxied call) */
  path: string;
  promptTokens: number | null;
  completionTokens: number | null;
}

export interface ComparedTraceInput<R extends ComparableRequest> {
  traceId: string;
  tree: TraceTree<R>;
  metrics: TraceMetrics;
}

export interface AlignedNode<R extends ComparableRequest> {
  path: string;
  parentPath: string | null;
  depth: number;
  a: TraceNode<R> | null;
  b: TraceNode<R> | null;
}

/** Latency changes below this never count, whatever the share (jitter on short calls). */
export const LATENCY_CHANGE_MIN_MS = 100;
/** …and above it only when larger than this share of trace a's latency. */
export const LATENCY_CHANGE_SHARE = 0.2;

/** Between a parent's path and a span's segment; ` > ` reads as a chain and is rare in span names. */
const SPAN_CHAIN_SEPARATOR = " > ";
/** The name of a never-logged ancestor that only an OTLP parent span id names. */
const UNLOGGED_SPAN_NAME = "(not logged)";

/**
 * Every node's path, by node id. Unique within the trace: a path that two nodes would share (a
 * Helicone segment spelt like a span chain) gets `#2`, `#3`… in tree order.
 */
export function nodePaths(traceId: string, tree: TraceTree<ComparableRequest>): Map<string, string> {
  const paths = new Map<string, string>();
  const taken = new Set<string>();
  // same-named span children met so far, per parent node id ("" for roots)
  const spanCounts = new Map<string, Map<string, number>>();
  for (const node of tree.nodes) {
    let path = heliconePath(traceId, node.id);
    if (path === null) {
      const name = node.requests[0]?.path ?? UNLOGGED_SPAN_NAME;
      const parentKey = node.parentId ?? "";
      let counts = spanCounts.get(parentKey);
      if (!counts) spanCounts.set(parentKey, (counts = new Map()));
      const index = counts.get(name) ?? 0;
      counts.set(name, index + 1);
      const parentPath = node.parentId === null ? "" : paths.get(node.parentId)!;
      path = `${parentPath}${parentPath === "" ? "" : SPAN_CHAIN_SEPARATOR}${name}[${index}]`;
    }
    if (taken.has(path)) {
      let n = 2;
      while (taken.has(`${path}#${n}`)) n++;
      path = `${path}#${n}`;
    }
    taken.add(path);
    paths.set(node.id, path);
  }
  return paths;
}

/** The id without its trace segment ("" for the trace's own root), or null when it is no Helicone path. */
function heliconePath(traceId: string, nodeId: string): string | null {
  if (nodeId === traceId) return "";
  return nodeId.startsWith(traceId + NODE_ID_SEPARATOR) ? nodeId.slice(traceId.length + 1) : null;
}

/**
 * The merged tree: every path of either trace once, parents first, depth-first. A node's parent is
 * its parent in trace a, else in trace b. Siblings keep a's order (start times); a sibling only in
 * b comes right after the sibling it follows in b.
 */
export function alignTraces<R extends ComparableRequest>(a: ComparedTraceInput<R>, b: ComparedTraceInput<R>): AlignedNode<R>[] {
  const pathsA = nodePaths(a.traceId, a.tree);
  const pathsB = nodePaths(b.traceId, b.tree);

  interface Entry {
    path: string;
    parentPath: string | null;
    a: TraceNode<R> | null;
    b: TraceNode<R> | null;
    orderA: number;
    orderB: number;
  }
  const byPath = new Map<string, Entry>();
  a.tree.nodes.forEach((node, order) => {
    const path = pathsA.get(node.id)!;
    byPath.set(path, { path, parentPath: node.parentId === null ? null : pathsA.get(node.parentId)!, a: node, b: null, orderA: order, orderB: -1 });
  });
  b.tree.nodes.forEach((node, order) => {
    const path = pathsB.get(node.id)!;
    const entry = byPath.get(path);
    if (entry) {
      entry.b = node;
      entry.orderB = order;
    } else {
      byPath.set(path, { path, parentPath: node.parentId === null ? null : pathsB.get(node.parentId)!, a: null, b: node, orderA: -1, orderB: order });
    }
  });

  const groups = new Map<string | null, Entry[]>();
  for (const entry of byPath.values()) {
    const group = groups.get(entry.parentPath);
    if (group) group.push(entry);
    else groups.set(entry.parentPath, [entry]);
  }
  const childrenOf = (parentPath: string | null): Entry[] => mergeSiblings(groups.get(parentPath) ?? []);

  const aligned: AlignedNode<R>[] = [];
  const stack: Array<{ entry: Entry; depth: number }> = childrenOf(null)
    .reverse()
    .map((entry) => ({ entry, depth: 1 }));
  while (stack.length > 0) {
    const { entry, depth } = stack.pop()!;
    aligned.push({ path: entry.path, parentPath: entry.parentPath, depth, a: entry.a, b: entry.b });
    const children = childrenOf(entry.path);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ entry: children[i]!, depth: depth + 1 });
  }
  return aligned;
}

/** Siblings in a's order; each one only in b right after its predecessor in b's order. */
function mergeSiblings<E extends { a: unknown; orderA: number; orderB: number }>(group: E[]): E[] {
  if (group.length < 2) return group;
  const inA = group.filter((entry) => entry.a !== null).sort((x, y) => x.orderA - y.orderA);
  if (inA.length === group.length) return inA;
  const following = new Map<E | null, E[]>();
  let anchor: E | null = null;
  for (const entry of group.filter((e) => e.orderB >= 0).sort((x, y) => x.orderB - y.orderB)) {
    if (entry.a !== null) {
      anchor = entry;
      continue;
    }
    const list = following.get(anchor);
    if (list) list.push(entry);
    else following.set(anchor, [entry]);
  }
  const merged: E[] = [...(following.get(null) ?? [])];
  for (const entry of inA) merged.push(entry, ...(following.get(entry) ?? []));
  return merged;
}

/** The standing attempts whose prompt and answer are compared: both sides' of each node in both traces. */
export function contentRequests<R extends ComparableRequest>(aligned: readonly AlignedNode<R>[]): R[] {
  const requests: R[] = [];
  for (const node of aligned) {
    const standingA = node.a?.requests.at(-1);
    const standingB = node.b?.requests.at(-1);
    if (standingA && standingB) requests.push(standingA, standingB);
  }
  return requests;
}

/**
 * The comparison of two traces. `contentOf` gives the prompt and answer of each request
 * contentRequestIds named (a request it does not know reads as empty).
 */
export function compareTraces<R extends ComparableRequest>(
  a: ComparedTraceInput<R>,
  b: ComparedTraceInput<R>,
  contentOf: (requestId: string) => ExchangeText | undefined,
  aligned: readonly AlignedNode<R>[] = alignTraces(a, b),
): TraceCompareResponse {
  return {
    a: { traceId: a.traceId, metrics: a.metrics },
    b: { traceId: b.traceId, metrics: b.metrics },
    deltas: metricDeltas(a.metrics, b.metrics),
    nodes: aligned.map((node) => compareNode(node, contentOf)),
  };
}

function metricDeltas(a: TraceMetrics, b: TraceMetrics): TraceMetricDeltas {
  const deltas: Record<string, number> = {};
  for (const key of Object.keys(a) as Array<keyof TraceMetrics>) {
    const x = a[key];
    const y = b[key];
    // Amounts of USD (totalCost, any *Cost) are rounded as costs are: 0.3 − 0.1 is 0.2, not 0.19999999999999998.
    if (typeof x === "number" && typeof y === "number") deltas[key] = USD_METRIC.test(key) ? roundUsd(y - x) : y - x;
  }
  return deltas as TraceMetricDeltas;
}

const USD_METRIC = /Cost$/;

const NO_CONTENT: ExchangeText = { prompt: "", answer: "" };

// Objects are written out whole, key by key (no spreads, no lookups by key): for 10,000 nodes,
// building them with spreads and a filtered table of changes took ≈ 75 ms against ≈ 10 ms.
function compareNode<R extends ComparableRequest>(node: AlignedNode<R>, contentOf: (requestId: string) => ExchangeText | undefined): ComparedNode {
  const a = node.a && sideOf(node.a);
  const b = node.b && sideOf(node.b);
  if (!a || !b) {
    const deltas: ComparedNodeDeltas = { latencyMs: null, cost: null, promptTokens: null, completionTokens: null, statusCode: null };
    return { path: node.path, parentPath: node.parentPath, depth: node.depth, status: a ? "removed" : "added", changes: [], a, b, deltas, contentChanged: null };
  }

  // A virtual side has no content: the node gained or lost some when the other side has.
  const contentChanged =
    a.requestId === null || b.requestId === null
      ? a.requestId !== b.requestId
      : !sameText(contentOf(a.requestId) ?? NO_CONTENT, contentOf(b.requestId) ?? NO_CONTENT);
  const deltas: ComparedNodeDeltas = {
    latencyMs: difference(a.latencyMs, b.latencyMs),
    cost: a.cost === null || b.cost === null ? null : roundUsd(b.cost - a.cost),
    promptTokens: difference(a.promptTokens, b.promptTokens),
    completionTokens: difference(a.completionTokens, b.completionTokens),
    statusCode: difference(a.statusCode, b.statusCode),
  };
  // In NODE_CHANGES order.
  const changes: NodeChange[] = [];
  if (a.statusCode !== b.statusCode) changes.push("status");
  if (a.model !== b.model) changes.push("model");
  if (a.cost !== b.cost || a.costUnknown !== b.costUnknown) changes.push("cost");
  if (a.promptTokens !== b.promptTokens || a.completionTokens !== b.completionTokens) changes.push("tokens");
  if (contentChanged) changes.push("content");
  if (isLatencyChange(a.latencyMs, b.latencyMs)) changes.push("latency");
  return { path: node.path, parentPath: node.parentPath, depth: node.depth, status: changes.length > 0 ? "changed" : "same", changes, a, b, deltas, contentChanged };
}

/** More than max(100 ms, 20 % of a's latency) apart; a virtual side has no latency to compare. */
export function isLatencyChange(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return false;
  return Math.abs(b - a) > Math.max(LATENCY_CHANGE_MIN_MS, LATENCY_CHANGE_SHARE * a);
}

function difference(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : b - a;
}

function sameText(x: ExchangeText, y: ExchangeText): boolean {
  return x.prompt === y.prompt && x.answer === y.answer;
}

/** A node as one side of the comparison; attempts are summed, the last one (by start) stands. */
export function sideOf(node: TraceNode<ComparableRequest>): ComparedNodeSide {
  const standing = node.requests.at(-1);
  let cost: number | null = null;
  let costUnknown = false;
  let promptTokens: number | null = null;
  let completionTokens: number | null = null;
  for (const request of node.requests) {
    if (request.costUsd !== null) cost = (cost ?? 0) + request.costUsd;
    if (request.costUnknown) costUnknown = true;
    if (request.promptTokens !== null) promptTokens = (promptTokens ?? 0) + request.promptTokens;
    if (request.completionTokens !== null) completionTokens = (completionTokens ?? 0) + request.completionTokens;
  }
  return {
    nodeId: node.id,
    virtual: node.isVirtual,
    requestId: standing?.id ?? null,
    requestCount: node.requests.length,
    statusCode: standing?.status ?? null,
    model: standing?.model ?? null,
    latencyMs: node.selfLatencyMs,
    cost: cost === null ? null : roundUsd(cost),
    costUnknown,
    promptTokens,
    completionTokens,
    subtreeLatencyMs: node.subtreeLatencyMs,
    subtreeCost: node.subtreeCostUsd,
  };
}
