"use client";

import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import { formatCount, formatDuration, formatUsd } from "@/components/ui/format";
import { heatColor, nodeHeat } from "./heat";
import { rollupTitle } from "./trace-model";
import type { TraceFlowNode } from "./to-flow-elements";
import { useTraceActions, useTraceModel, useTraceUi } from "./trace-ui-store";

// HANDLE_SIZE (4 px) square, where React Flow is told the handles are (to-flow-elements.ts).
const hidden = "!h-1 !w-1 !min-h-0 !min-w-0 !border-0 !bg-transparent";

/**
 * One node of the trace. Memoized: React Flow re-renders it only when its own data changes (a
 * fold), and selection / search / colour come from the UI store as booleans about this node.
 * Everything shown is text: labels and ids are logged input and never become markup.
 */
export const TraceNodeCard = memo(function TraceNodeCard({ id, data }: NodeProps<TraceFlowNode>) {
  const { node, hiddenCount, collapsed } = data;
  const selected = useTraceUi((s) => s.selectedId === id);
  const matched = useTraceUi((s) => s.matchIds.has(id));
  const current = useTraceUi((s) => s.currentMatchId === id);
  const colorMode = useTraceUi((s) => s.colorMode);
  const { toggleCollapse } = useTraceActions();
  const model = useTraceModel();

  const share =
    nodeHeat(model, node, colorMode);
  const isVirtual = node.status === "virtual";
  const failed = node.status === "error";
  const border = failed ? "border-red-500" : isVirtual ? "border-slate-400 border-dashed" : node.onCriticalPath ? "border-violet-400" : "border-slate-300";
  const ring = selected ? "ring-2 ring-indigo-500 ring-offset-1" : current ? "ring-2 ring-amber-500" : matched ? "ring-2 ring-amber-300" : "";

  return (
    <div className="relative h-full w-full">
      <div
        data-node-id={id}
        data-status={node.status}
        className={`flex h-full w-full overflow-hidden rounded-md border text-left shadow-sm ${border} ${ring} ${isVirtual ? "bg-slate-50" : failed ? "bg-red-50" : "bg-white"}`}
        style={!isVirtual && !failed && share > 0.5 ? { backgroundColor: heatColor(share, 0.14 * share) } : undefined}
      >
        {!isVirtual && <div className="w-1.5 shrink-0" style={{ backgroundColor: failed ? "rgb(220 38 38)" : heatColor(share) }} aria-hidden />}
        <div className="flex min-w-0 flex-1 flex-col justify-between px-2 py-1.5">
          <div className="flex items-center gap-1.5">
            <span className={`truncate text-[12.5px] font-semibold ${isVirtual ? "text-slate-500 italic" : "text-slate-900"}`} title={node.label}>
              {node.label}
            </span>
            <span className="ml-auto shrink-0">
              {isVirtual ? (
                <span className="rounded bg-slate-200 px-1 text-[10px] font-medium text-slate-600">virtual</span>
              ) : (
                <span className={`rounded px-1 font-mono text-[10px] font-semibold ${failed ? "bg-red-600 text-white" : "bg-emerald-100 text-emerald-800"}`}>
                  {node.statusCode === 0 ? "no resp." : node.statusCode}
                </span>
              )}
            </span>
          </div>
          <div className="truncate text-[11px] text-slate-500" title={node.detail}>
            {node.detail}
          </div>
          <div className="flex items-center gap-2 overflow-hidden text-[11px] whitespace-nowrap text-slate-700 tabular-nums">
            {isVirtual ? (
              <span className="text-slate-500" title="Span and cost of its subtree">
                {formatDuration(node.subtreeLatencyMs)} · {formatUsd(node.subtreeCostUsd, !node.subtreeCostComplete)}
              </span>
            ) : (
              <>
                <span title="Latency">{formatDuration(node.selfLatencyMs)}</span>
                {node.usageRollup ? (
                  <span className="text-slate-500" title={rollupTitle(node.llmCallsBelow)}>
                    roll-up
                  </span>
                ) : (
                  <span title="Cost">{formatUsd(node.ownCostUsd, node.ownCostUnknown)}</span>
                )}
              </>
            )}
            <span className="ml-auto flex gap-1">
              {node.attempts.length > 1 && <Badge tone="slate">{`${node.attempts.length} tries`}</Badge>}
              {id === model.slowestId && <Badge tone="orange">slowest</Badge>}
              {id === model.priciestId && <Badge tone="amber">priciest</Badge>}
            </span>
          </div>
        </div>
      </div>
      <Handle type="target" position={Position.Top} isConnectable={false} className={hidden} />
      <Handle type="source" position={Position.Bottom} isConnectable={false} className={hidden} />
      {node.childIds.length > 0 && (
        <button
          type="button"
          aria-label={collapsed ? `Expand ${formatCount(hiddenCount)} hidden nodes` : "Collapse subtree"}
          aria-expanded={!collapsed}
          className={`nodrag absolute -bottom-2.5 left-1/2 z-10 -translate-x-1/2 rounded-full border px-1.5 text-[10px] leading-4 shadow-sm ${collapsed ? "border-indigo-700 bg-indigo-600 font-medium text-white hover:bg-indigo-500" : "border-slate-300 bg-white text-slate-500 hover:bg-slate-100 hover:text-slate-800"}`}
          onClick={(e) => {
            e.stopPropagation();
            toggleCollapse(id);
          }}
        >
          {collapsed ? `+${formatCount(hiddenCount)}` : "−"}
        </button>
      )}
    </div>
  );
});

function Badge({ tone, children }: { tone: "orange" | "amber" | "slate"; children: string }) {
  const style = tone === "orange" ? "bg-orange-100 text-orange-800" : tone === "amber" ? "bg-amber-100 text-amber-900" : "bg-slate-200 text-slate-700";
  return <span className={`rounded px-1 text-[9.5px] font-semibold tracking-wide uppercase ${style}`}>{children}</span>;
}
