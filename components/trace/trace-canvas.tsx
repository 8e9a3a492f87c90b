"use client";

import { Background, Controls, MiniMap, Panel, ReactFlow, ReactFlowProvider, useReactFlow, type Edge, type NodeMouseHandler, type NodeTypes } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { memo, useCallback, useEffect, useRef } from "react";
import { NODE_HEIGHT, NODE_WIDTH, type Positions, type TraceFlowNode } from "./to-flow-elements";
import { TraceNodeCard } from "./trace-node-card";
import { useTraceUi } from "./trace-ui-store";

// Module level, as React Flow asks: a new object per render would remount every node.
const nodeTypes: NodeTypes = { trace: TraceNodeCard };
/** Above this many cards only those in the viewport are rendered. */
const CULL_ABOVE = 150;

export interface FocusRequest {
  id: string;
  /** bumps on every request, so asking for the same node twice still moves the view */
  seq: number;
}

interface Props {
  nodes: TraceFlowNode[];
  edges: Edge[];
  positions: Positions | null;
  focus: FocusRequest | null;
  fitSeq: number;
  initialFocusId: string | null;
  rootId: string | null;
  onSelect: (id: string) => void;
  onBackgroundClick: () => void;
  layingOut: number;
}

/** The React Flow canvas: pan, zoom, minimap; positions come precomputed, cards are memoized. */
export const TraceCanvas = memo(function TraceCanvas(props: Props) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
});

function Legend() {
  const colorMode = useTraceUi((s) => s.colorMode);
  return (
    <div className="flex items-center gap-3 rounded border border-slate-200 bg-white/90 px-2 py-1 text-[10.5px] text-slate-600 shadow-sm" aria-label="Legend">
      <span className="flex items-center gap-1">
        <span className="h-2.5 w-8 rounded-sm" style={{ background: "linear-gradient(90deg, rgb(203 213 225), rgb(252 211 77), rgb(234 88 12))" }} />
        {colorMode === "latency" ? "own latency: fastest → slowest" : "own cost: cheapest → priciest"}
      </span>
      <span className="flex items-center gap-1">
        <span className="h-0.5 w-4 bg-violet-600" /> critical path
      </span>
      <span className="flex items-center gap-1">
        <span className="h-2.5 w-2.5 rounded-sm border border-red-500 bg-red-100" /> failed
      </span>
      <span className="flex items-center gap-1">
        <span className="h-2.5 w-2.5 rounded-sm border border-dashed border-slate-400" /> virtual (never logged)
      </span>
    </div>
  );
}

function Canvas({ nodes, edges, positions, focus, fitSeq, initialFocusId, rootId, onSelect, onBackgroundClick, layingOut }: Props) {
  const flow = useReactFlow();
  const ready = useRef(false);

  const center = useCallback(
    (id: string, zoom?: number) => {
      const position = positions?.[id];
      if (!position) return false;
      void flow.setCenter(position.x + NODE_WIDTH / 2, position.y + NODE_HEIGHT / 2, { zoom: zoom ?? Math.max(flow.getZoom(), 0.75), duration: ready.current ? 250 : 0 });
      return true;
    },
    [flow, positions],
  );

  // First view: the whole tree when it fits legibly (the node named in the URL is highlighted in
  // it); otherwise that node, or the top of the tree, at a readable zoom.
  const onInit = useCallback(() => {
    void flow.fitView({ padding: 0.12, maxZoom: 1.1 }).then(() => {
      if (flow.getZoom() < 0.55) {
        const anchor = initialFocusId && positions?.[initialFocusId] ? initialFocusId : rootId;
        const position = anchor ? positions?.[anchor] : undefined;
        if (position) {
          const below = anchor === initialFocusId ? NODE_HEIGHT / 2 : NODE_HEIGHT * 3;
          void flow.setCenter(position.x + NODE_WIDTH / 2, position.y + below, { zoom: 0.85 });
        }
      }
      ready.current = true;
    });
  }, [flow, initialFocusId, positions, rootId]);

  useEffect(() => {
    if (focus) center(focus.id);
  }, [focus, center]);
  useEffect(() => {
    if (fitSeq > 0) void flow.fitView({ padding: 0.12, maxZoom: 1.1, duration: 250 });
  }, [fitSeq, flow]);

  const onNodeClick = useCallback<NodeMouseHandler<TraceFlowNode>>((_event, node) => onSelect(node.id), [onSelect]);

  return (
    <div className="relative h-full w-full" data-testid="trace-canvas">
      <ReactFlow<TraceFlowNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onInit={onInit}
        onNodeClick={onNodeClick}
        onPaneClick={onBackgroundClick}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        edgesFocusable={false}
        disableKeyboardA11y
        onlyRenderVisibleElements={nodes.length > CULL_ABOVE}
        minZoom={0.05}
        maxZoom={2}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={24} size={1} color="#e2e8f0" />
        <Panel position="top-left">
          <Legend />
        </Panel>
        <Controls showInteractive={false} position="bottom-left" />
        <MiniMap<TraceFlowNode>
          pannable
          zoomable
          position="bottom-right"
          ariaLabel="Trace minimap"
          nodeColor={(node) => (node.data.node.status === "error" ? "#dc2626" : node.data.node.status === "virtual" ? "#cbd5e1" : node.data.node.onCriticalPath ? "#8b5cf6" : "#94a3b8")}
          nodeStrokeWidth={0}
          maskColor="rgba(241, 245, 249, 0.7)"
        />
      </ReactFlow>
      {layingOut > 0 && (
        <div className="absolute top-2 left-1/2 -translate-x-1/2 rounded bg-slate-900/85 px-3 py-1 text-xs text-white" role="status">
          Laying out {layingOut.toLocaleString("en-US")} nodes…
        </div>
      )}
    </div>
  );
}
