import { Position, type Edge, type Node, type NodeHandle } from "@xyflow/react";
import { hierarchy, tree } from "d3-hierarchy";
import { visibleNodes } from "./trace-collapse";
import type { TraceModel, TraceViewNode } from "./trace-model";

/**
 * Trace tree → React Flow elements, laid out top-down. Pure: no React, no DOM; the view runs it in
 * useMemo on (trace, folds). Only the nodes shown under the current folds are laid out.
 */
export const NODE_WIDTH = 224;
export const NODE_HEIGHT = 78;
/** The card's two handles (TraceNodeCard): squares of this side centred on its top and bottom edges. */
export const HANDLE_SIZE = 4;
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
 * A card's size and handles, told to React Flow with each node. React Flow renders every node
 * whose handles it does not know yet, in view or not, to measure it (onlyRenderVisibleElements
 * only applies afterwards): the first view of a folded 2,000-node trace drew and measured all 150
 * laid-out cards, then removed the ~130 out of view. Knowing them, it renders only the cards in
 * view, draws their edges in the same frame, and measures just those cards (which must therefore
 * draw their handles exactly here, or the edges would move once measured).
 */
const CARD_SIZE = { width: NODE_WIDTH, height: NODE_HEIGHT };
export const CARD_HANDLES: NodeHandle[] = [
  { type: "target", position: Position.Top, x: (NODE_WIDTH - HANDLE_SIZE) / 2, y: -HANDLE_SIZE / 2, width: HANDLE_SIZE, height: HANDLE_SIZE },
  { type: "source", position: Position.Bottom, x: (NODE_WIDTH - HANDLE_SIZE) / 2, y: NODE_HEIGHT - HANDLE_SIZE / 2, width: HANDLE_SIZE, height: HANDLE_SIZE },
];

/**
 * Top-left corner of each card: d3-hierarchy's tidy tree (Reingold–Tilford as improved by Buchheim
 * et al.), one row per depth, siblings left to right in the order given (by start time), each parent
 * centred over its first and last child, neighbouring cards of a row one card and a gap apart. Unlike
 * one column per leaf, a subtree may tuck under a wide neighbour's empty rows, so wide traces are
 * narrower. A card whose parent is not among `items` starts a tree of its own, to the right of the
 * previous one. The leftmost card and the top row sit at MARGIN. d3 walks the tree with its own
 * stacks, never recursing, so depth cannot overflow the call stack; tree() is O(n) and hierarchy()'s
 * heights O(n × depth), which node ids cap at 256 levels (a 10,000-level chain, impossible to
 * ingest, would take ~120-180 ms). 3,000 random cards take ~4-6 ms, 10,000 ~15-35 ms on a loaded machine.
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

  // d3 lays out one tree: the trees of the forest hang under a root of our own (index -1), one row up.
  const forest = hierarchy<number>(-1, (i) => (i === -1 ? roots : children[i]));
  tree<number>()
    .nodeSize([NODE_WIDTH + NODE_GAP_X, NODE_HEIGHT + NODE_GAP_Y])
    .separation(() => 1)(forest);

  let minX = Number.POSITIVE_INFINITY;
  forest.each((node) => {
    if (node.data !== -1) minX = Math.min(minX, node.x!);
  });
  const positions: Positions = {};
  forest.each((node) => {
    if (node.data !== -1) positions[items[node.data]!.id] = { x: MARGIN + node.x! - minX, y: MARGIN + (node.depth - 1) * (NODE_HEIGHT + NODE_GAP_Y) };
  });
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
      measured: CARD_SIZE,
      handles: CARD_HANDLES,
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
