import type { TraceModel, TraceViewNode } from "./trace-model";

/**
 * Which subtrees start folded, so that a 10,000-node or 100-level trace opens as a readable tree
 * of at most `budget` cards: breadth-first from the roots, a node's children are shown while they
 * fit in the budget and the node is above `maxDepth`; a node with more than `maxChildren` children
 * (a huge fan-out) starts folded unless it is a root. Small traces come out fully expanded. O(n).
 */
export interface CollapseOptions {
  budget?: number;
  maxDepth?: number;
  maxChildren?: number;
}

export const DEFAULT_COLLAPSE: Required<CollapseOptions> = { budget: 150, maxDepth: 12, maxChildren: 60 };

/** A root shows up to this many children whatever the budget: a trace should never open as one card. */
const ROOT_MAX_CHILDREN = 600;

export function defaultCollapsed(model: TraceModel, options: CollapseOptions = {}): Set<string> {
  const { budget, maxDepth, maxChildren } = { ...DEFAULT_COLLAPSE, ...options };
  const collapsed = new Set<string>();
  const reached = new Set<string>(model.rootIds);
  let visible = model.rootIds.length;
  const queue: TraceViewNode[] = model.rootIds.map((id) => model.byId.get(id)!);
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    const children = node.childIds.length;
    if (children === 0) continue;
    const isRoot = i < model.rootIds.length;
    const unfold = isRoot
      ? children <= Math.max(ROOT_MAX_CHILDREN, budget)
      : visible + children <= budget && node.depth < maxDepth && children <= maxChildren;
    if (!unfold) {
      collapsed.add(node.id);
      continue;
    }
    visible += children;
    for (const id of node.childIds) {
      reached.add(id);
      queue.push(model.byId.get(id)!);
    }
  }
  // Everything under a folded node starts folded too, so unfolding it shows one level at a time.
  for (const node of model.nodes) if (node.childIds.length > 0 && !reached.has(node.id)) collapsed.add(node.id);
  return collapsed;
}

/** The nodes shown: depth-first, parents before children, skipping what folded nodes hide. */
export function visibleNodes(model: TraceModel, collapsed: ReadonlySet<string>): TraceViewNode[] {
  const shown: TraceViewNode[] = [];
  const stack = [...model.rootIds].reverse();
  while (stack.length > 0) {
    const node = model.byId.get(stack.pop()!)!;
    shown.push(node);
    if (collapsed.has(node.id)) continue;
    for (let i = node.childIds.length - 1; i >= 0; i--) stack.push(node.childIds[i]!);
  }
  return shown;
}

/** The same folds, minus every ancestor of `id`, so that the node can be shown. */
export function unfoldPathTo(model: TraceModel, collapsed: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(collapsed);
  let parentId = model.byId.get(id)?.parentId ?? null;
  const guard = new Set<string>();
  while (parentId !== null && !guard.has(parentId)) {
    guard.add(parentId);
    next.delete(parentId);
    parentId = model.byId.get(parentId)?.parentId ?? null;
  }
  return next;
}

/** True when `id` is shown under these folds (no ancestor of it is folded). */
export function isShown(model: TraceModel, collapsed: ReadonlySet<string>, id: string): boolean {
  let parentId = model.byId.get(id)?.parentId ?? null;
  while (parentId !== null) {
    if (collapsed.has(parentId)) return false;
    parentId = model.byId.get(parentId)?.parentId ?? null;
  }
  return model.byId.has(id);
}

/** Unfolds every node, unless that would show more than `limit` cards; then unfolds breadth-first up to it. */
export function expandAll(model: TraceModel, limit: number): Set<string> {
  if (model.nodes.length <= limit) return new Set();
  return defaultCollapsed(model, { budget: limit, maxDepth: Number.POSITIVE_INFINITY, maxChildren: Number.POSITIVE_INFINITY });
}

/** Folds everything below the roots' children. */
export function collapseAll(model: TraceModel): Set<string> {
  const collapsed = new Set<string>();
  for (const node of model.nodes) if (node.childIds.length > 0 && node.depth >= 2) collapsed.add(node.id);
  return collapsed;
}
