"use client";

import { Background, Controls, MiniMap, Panel, ReactFlow, ReactFlowProvider, useReactFlow, type Edge, type NodeMouseHandler, type NodeTypes, type Viewport } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { memo, startTransition, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { FIT_MAX_ZOOM, FIT_PADDING, initialViewport, MIN_ZOOM } from "./initial-viewport";
import { NODE_HEIGHT, NODE_WIDTH, type Positions, type TraceFlowNode } from "./to-flow-elements";
import { TraceNodeCard } from "./trace-node-card";
import { useTraceUi } from "./trace-ui-store";

// Module level, as React Flow asks: a new object per render would remount every node.
const nodeTypes: NodeTypes = { trace: TraceNodeCard };

export interface FocusRequest {
  id: string;
  /** bumps on every request, so asking for the same node twice still moves the view */
  seq: number;
}

interface Props {
  nodes: TraceFlowNode[];
  edges: Edge[];
  positions: Positions;
  focus: FocusRequest | null;
  fitSeq: number;
  initialFocusId: string | null;
  rootId: string | null;
  onSelect: (id: string) => void;
  onBackgroundClick: () => void;
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

function Canvas({ nodes, edges, positions, focus, fitSeq, initialFocusId, rootId, onSelect, onBackgroundClick }: Props) {
  const flow = useReactFlow();
  const box = useRef<HTMLDivElement>(null);
  const ready = useRef(false);

  // React Flow mounts once the canvas's size is known, already at the first view: the cards are
  // drawn once, where they stay (fitting after mounting drew them at zoom 1 first and then moved
  // them, twice when zooming in on the root: a frame of work each, and a moving target to click).
  const [firstView, setFirstView] = useState<Viewport | null>(null);
  useLayoutEffect(() => {
    if (firstView || !box.current) return;
    const { width, height } = box.current.getBoundingClientRect();
    setFirstView(initialViewport(positions, { width, height }, { focusId: initialFocusId, rootId }) ?? { x: 0, y: 0, zoom: 1 });
  }, [firstView, positions, initialFocusId, rootId]);

  const center = useCallback(
    (id: string, zoom?: number) => {
      const position = positions[id];
      if (!position) return false;
      void flow.setCenter(position.x + NODE_WIDTH / 2, position.y + NODE_HEIGHT / 2, { zoom: zoom ?? Math.max(flow.getZoom(), 0.75), duration: ready.current ? 250 : 0 });
      return true;
    },
    [flow, positions],
  );
  // The minimap draws every laid-out card, in view or not, and sets up its own pan and zoom: it
  // comes once the first cards are painted, as an interruptible update, so that it delays neither
  // them nor a first click on them.
  const [minimapShown, setMinimapShown] = useState(false);
  const onInit = useCallback(() => {
    ready.current = true;
    requestAnimationFrame(() => setTimeout(() => startTransition(() => setMinimapShown(true))));
  }, []);

  useEffect(() => {
    if (focus) center(focus.id);
  }, [focus, center]);
  useEffect(() => {
    if (fitSeq > 0) void flow.fitView({ padding: FIT_PADDING, maxZoom: FIT_MAX_ZOOM, duration: 250 });
  }, [fitSeq, flow]);

  const onNodeClick = useCallback<NodeMouseHandler<TraceFlowNode>>((_event, node) => onSelect(node.id), [onSelect]);

  return (
    <div ref={box} className="relative h-full w-full" data-testid="trace-canvas">
      {firstView && (
        <ReactFlow<TraceFlowNode>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          defaultViewport={firstView}
          onInit={onInit}
          onNodeClick={onNodeClick}
          onPaneClick={onBackgroundClick}
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
          {minimapShown && (
            <MiniMap<TraceFlowNode>
              pannable
              zoomable
              position="bottom-right"
              ariaLabel="Trace minimap"
              nodeColor={(node) => (node.data.node.status === "error" ? "#dc2626" : node.data.node.status === "virtual" ? "#cbd5e1" : node.data.node.onCriticalPath ? "#8b5cf6" : "#94a3b8")}
              nodeStrokeWidth={0}
              maskColor="rgba(241, 245, 249, 0.7)"
            />
          )}
        </ReactFlow>
      )}
    </div>
  );
}
