import type { Edge, Node } from "@xyflow/react";
import { visibleNodes } from "./trace-collapse";
import type { TraceModel, TraceViewNode } from "./trace-model";

/**
 * Trace tree → React Flow elements, laid out top-down. Pure: no React, no DOM; the view runs it in
 * useMemo on (trace, folds). Only the nodes shown under the current folds are laid out.
 */
export const NODE_WIDTH = 224;
export const NODE_HEIGHT = 78;
/** Space between neighbouring cards of one row, between rows, and around the tree. */
const NODE_GAP_X = 20;
const NODE_GAP_Y = 44;
const MARGIN = 16;

export interface TraceNodeData extends Record<string, unknown> {
  node: TraceViewNode;
  /** descendants hidden under this folded node; 0 when unfolded */
  hiddenCount: number;
  collapsed: boolean;
}

export type TraceFlowNode = Node<TraceNodeData, "trace">;

export interface LayoutInput {
  id: string;
  parentId: string | null;
}

export type Positions = Record<string, { x: number; y: number }>;

/**
 * Top-left corner of each card: one row per depth, leaves side by side in the order given (siblings
 * by start time), each parent centred over its first and last child, so that subtrees never share
 * columns and cards never overlap. A card whose parent is not among `items` starts a tree of its
 * own, to the right of the previous one. Iterative, O(n): 3,000 cards take a few milliseconds
 * (dagre, used before, took ~100 ms for 150 cards and seconds for thousands).
 */
export function layoutPositions(items: readonly LayoutInput[]): Positions {
  const indexOf = new Map<string, number>();
  for (let i = 0; i < items.length; i++) indexOf.set(items[i]!.id, i);
  const children: number[][] = items.map(() => []);
  const roots: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const parent = items[i]!.parentId === null ? undefined : indexOf.get(items[i]!.parentId!);
    if (parent === undefined || parent === i) roots.push(i);
    else children[parent]!.push(i);
  }

  const depth = new Int32Array(items.length);
  const x = new Float64Array(items.length);
  // Depth-first: leaves take the next column on the way down, parents are centred on the way back up.
  const order: number[] = [];
  const stack: number[] = [];
  for (let r = roots.length - 1; r >= 0; r--) stack.push(roots[r]!);
  let nextColumn = 0;
  while (stack.length > 0) {
    const i = stack.pop()!;
    order.push(i);
    const kids = children[i]!;
    if (kids.length === 0) x[i] = nextColumn++ * (NODE_WIDTH + NODE_GAP_X);
    for (let k = kids.length - 1; k >= 0; k--) {
      depth[kids[k]!] = depth[i]! + 1;
      stack.push(kids[k]!);
    }
  }
  for (let o = order.length - 1; o >= 0; o--) {
    const kids = children[order[o]!]!;
    if (kids.length > 0) x[order[o]!] = (x[kids[0]!]! + x[kids[kids.length - 1]!]!) / 2;
  }

  const positions: Positions = {};
  for (let i = 0; i < items.length; i++) positions[items[i]!.id] = { x: MARGIN + x[i]!, y: MARGIN + depth[i]! * (NODE_HEIGHT + NODE_GAP_Y) };
  return positions;
}

export function layoutInputs(model: TraceModel, collapsed: ReadonlySet<string>): LayoutInput[] {
  return visibleNodes(model, collapsed).map((node) => ({ id: node.id, parentId: node.parentId }));
}

/** Cards and edges for laid-out positions; an edge on the critical path is marked for styling. */
export function buildFlowElements(
  model: TraceModel,
  collapsed: ReadonlySet<string>,
  positions: Positions,
): { nodes: TraceFlowNode[]; edges: Edge[] } {
  const nodes: TraceFlowNode[] = [];
  const edges: Edge[] = [];
  for (const node of visibleNodes(model, collapsed)) {
    const position = positions[node.id];
    if (!position) continue;
    const folded = collapsed.has(node.id) && node.childIds.length > 0;
    nodes.push({
      id: node.id,
      type: "trace",
      position,
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
      draggable: false,
      connectable: false,
      data: { node, hiddenCount: folded ? node.descendantCount : 0, collapsed: folded },
      ariaLabel: `${node.label}, ${node.status === "virtual" ? "virtual node" : node.status === "error" ? "failed" : "ok"}`,
    });
    if (node.parentId !== null && positions[node.parentId]) {
      const critical = node.onCriticalPath && model.byId.get(node.parentId)!.onCriticalPath;
      edges.push({
        id: `${node.parentId}\u2192${node.id}`,
        source: node.parentId,
        target: node.id,
        type: "smoothstep",
        focusable: false,
        selectable: false,
        className: critical ? "trace-edge-critical" : node.status === "error" ? "trace-edge-failed" : undefined,
        zIndex: critical ? 1 : 0,
      });
    }
  }
  return { nodes, edges };
}

/** The whole pipeline in one call: what the view runs for ordinary traces. */
export function toFlowElements(model: TraceModel, collapsed: ReadonlySet<string>) {
  const positions = layoutPositions(layoutInputs(model, collapsed));
  return { ...buildFlowElements(model, collapsed, positions), positions };
}
