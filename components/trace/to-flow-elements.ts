import dagre from "@dagrejs/dagre";
import type { Edge, Node } from "@xyflow/react";
import { visibleNodes } from "./trace-collapse";
import type { TraceModel, TraceViewNode } from "./trace-model";

/**
 * Trace tree → React Flow elements, laid out top-down by dagre. Pure: no React, no DOM, so it runs
 * inside useMemo for ordinary traces and in a Web Worker (trace-layout.worker.ts) for large ones.
 * Only the nodes shown under the current folds are laid out; dagre costs roughly O(n log n) here
 * (≈100 ms for 150 cards, seconds for 10,000), which is why big traces start folded.
 */
export const NODE_WIDTH = 224;
export const NODE_HEIGHT = 78;

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

/** Top-left corner of each card. Parents must come before children (depth-first order). */
export function layoutPositions(items: readonly LayoutInput[]): Positions {
  const graph = new dagre.graphlib.Graph({ multigraph: false, compound: false });
  graph.setGraph({ rankdir: "TB", nodesep: 20, ranksep: 44, marginx: 16, marginy: 16, ranker: "tight-tree" });
  graph.setDefaultEdgeLabel(() => ({}));
  const shown = new Set<string>();
  for (const item of items) {
    graph.setNode(item.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
    shown.add(item.id);
  }
  for (const item of items) if (item.parentId !== null && shown.has(item.parentId)) graph.setEdge(item.parentId, item.id);
  // Crossing minimisation buys nothing in a tree, costs most of the time, and reverses siblings:
  // keeping insertion order draws children left to right by start time.
  dagre.layout(graph, { disableOptimalOrderHeuristic: true });
  const positions: Positions = {};
  for (const item of items) {
    const { x, y } = graph.node(item.id);
    positions[item.id] = { x: x - NODE_WIDTH / 2, y: y - NODE_HEIGHT / 2 };
  }
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
