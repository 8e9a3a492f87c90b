"use client";

import { Background, Controls, MiniMap, Panel, ReactFlow, ReactFlowProvider, type Edge, type NodeMouseHandler, type NodeTypes, type Viewport } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { memo, useCallback, useLayoutEffect, useMemo, useRef, useState } from "react";
import { initialViewport, MIN_ZOOM } from "@/components/trace/initial-viewport";
import { CARD_HANDLES, layoutPositions, NODE_HEIGHT, NODE_WIDTH } from "@/components/trace/to-flow-elements";
import { TONE_LABELS, type CompareModel, type CompareTone } from "./compare-model";
import { CompareNodeCard, TONE_STYLES, type CompareFlowNode } from "./compare-node-card";

// Module level, as React Flow asks: a new object per render would remount every node.
const nodeTypes: NodeTypes = { compare: CompareNodeCard };

const MINIMAP_COLORS: Record<CompareTone, string> = {
  failed: "#dc2626",
  slower: "#f97316",
  dearer: "#f59e0b",
  changed: "#818cf8",
  added: "#10b981",
  removed: "#94a3b8",
  same: "#e2e8f0",
};

interface Props {
  model: CompareModel;
  selectedId: string | null;
  onSelect: (id: string | null) => void;
}

/**
 * The merged tree on a React Flow canvas, laid out as the trace view lays out a trace (same
 * tidy-tree layout, card size and handles): no folds, every node of either trace is shown.
 */
export const CompareCanvas = memo(function CompareCanvas(props: Props) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
});

function Canvas({ model, selectedId, onSelect }: Props) {
  const positions = useMemo(() => layoutPositions(model.nodes), [model]);
  const { nodes: baseNodes, edges } = useMemo(() => {
    const nodes: CompareFlowNode[] = [];
    const edges: Edge[] = [];
    for (const node of model.nodes) {
      nodes.push({
        id: node.id,
        type: "compare",
        position: positions[node.id]!,
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        measured: { width: NODE_WIDTH, height: NODE_HEIGHT },
        handles: CARD_HANDLES,
        draggable: false,
        connectable: false,
        data: { node, selected: false },
        ariaLabel: `${node.label}, ${TONE_LABELS[node.tone]}`,
      });
      if (node.parentId !== null) {
        edges.push({
          id: `${node.parentId}\u2192${node.id}`,
          source: node.parentId,
          target: node.id,
          type: "smoothstep",
          focusable: false,
          selectable: false,
          className: node.tone === "removed" ? "opacity-40" : undefined,
        });
      }
    }
    return { nodes, edges };
  }, [model, positions]);
  // Only the selected card gets a new object: the others keep theirs, so React Flow leaves them be.
  const nodes = useMemo(() => baseNodes.map((node) => (node.id === selectedId ? { ...node, data: { ...node.data, selected: true } } : node)), [baseNodes, selectedId]);

  const box = useRef<HTMLDivElement>(null);
  const [firstView, setFirstView] = useState<Viewport | null>(null);
  useLayoutEffect(() => {
    if (firstView || !box.current) return;
    const { width, height } = box.current.getBoundingClientRect();
    setFirstView(initialViewport(positions, { width, height }, { focusId: selectedId, rootId: model.rootIds[0] ?? null }) ?? { x: 0, y: 0, zoom: 1 });
  }, [firstView, positions, selectedId, model]);

  const onNodeClick = useCallback<NodeMouseHandler<CompareFlowNode>>((_event, node) => onSelect(node.id), [onSelect]);

  return (
    <div ref={box} className="relative h-full w-full" data-testid="compare-canvas">
      {firstView && (
        <ReactFlow<CompareFlowNode>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          defaultViewport={firstView}
          onNodeClick={onNodeClick}
          onPaneClick={() => onSelect(null)}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          edgesFocusable={false}
          disableKeyboardA11y
          onlyRenderVisibleElements
          minZoom={MIN_ZOOM}
          maxZoom={2}
          proOptions={{ hideAttribution: true }}
        >
          <Background gap={24} size={1} color="#e2e8f0" />
          <Panel position="top-left">
            <Legend />
          </Panel>
          <Controls showInteractive={false} position="bottom-left" />
          <MiniMap<CompareFlowNode> pannable zoomable position="bottom-right" ariaLabel="Comparison minimap" nodeColor={(node) => MINIMAP_COLORS[node.data.node.tone]} nodeStrokeWidth={0} maskColor="rgba(241, 245, 249, 0.7)" />
        </ReactFlow>
      )}
    </div>
  );
}

const LEGEND: CompareTone[] = ["failed", "slower", "dearer", "changed", "added", "removed", "same"];

function Legend() {
  return (
    <div className="flex flex-wrap items-center gap-2.5 rounded border border-slate-200 bg-white/90 px-2 py-1 text-[10.5px] text-slate-600 shadow-sm" aria-label="Legend">
      {LEGEND.map((tone) => (
        <span key={tone} className="flex items-center gap-1">
          <span className={`h-2.5 w-2.5 rounded-sm border ${TONE_STYLES[tone].card}`} />
          {TONE_LABELS[tone]}
        </span>
      ))}
      <span className="text-slate-400">in B against A</span>
    </div>
  );
}
