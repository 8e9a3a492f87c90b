"use client";

import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import { TONE_LABELS, type CompareTone, type CompareViewNode } from "./compare-model";

export type CompareFlowNode = Node<{ node: CompareViewNode; selected: boolean }, "compare">;

export const TONE_STYLES: Record<CompareTone, { card: string; stripe: string; chip: string }> = {
  failed: { card: "border-red-500 bg-red-50", stripe: "bg-red-600", chip: "bg-red-600 text-white" },
  slower: { card: "border-orange-400 bg-orange-50", stripe: "bg-orange-500", chip: "bg-orange-100 text-orange-900" },
  dearer: { card: "border-amber-400 bg-amber-50", stripe: "bg-amber-500", chip: "bg-amber-100 text-amber-900" },
  changed: { card: "border-indigo-300 bg-indigo-50/60", stripe: "bg-indigo-400", chip: "bg-indigo-100 text-indigo-800" },
  added: { card: "border-emerald-500 bg-emerald-50", stripe: "bg-emerald-500", chip: "bg-emerald-100 text-emerald-800" },
  removed: { card: "border-dashed border-slate-400 bg-slate-100", stripe: "bg-slate-400", chip: "bg-slate-200 text-slate-700" },
  same: { card: "border-slate-300 bg-white", stripe: "bg-slate-200", chip: "bg-slate-100 text-slate-500" },
};

// Invisible handles where React Flow is told they are (CARD_HANDLES): edges start and end there.
const hidden = "!h-1 !w-1 !min-h-0 !min-w-0 !border-0 !bg-transparent";

/** One node of the merged tree, coloured by what changed. Labels are logged input: text only. */
export const CompareNodeCard = memo(function CompareNodeCard({ data }: NodeProps<CompareFlowNode>) {
  const { node, selected } = data;
  const style = TONE_STYLES[node.tone];
  const changes = node.compared.changes.filter((change) => change !== "latency" && change !== "cost" && change !== "status");
  return (
    <div className="relative h-full w-full">
      <div
        data-path={node.compared.path}
        data-tone={node.tone}
        className={`flex h-full w-full overflow-hidden rounded-md border text-left shadow-sm ${style.card} ${selected ? "ring-2 ring-indigo-500 ring-offset-1" : ""}`}
      >
        <div className={`w-1.5 shrink-0 ${style.stripe}`} aria-hidden />
        <div className="flex min-w-0 flex-1 flex-col justify-between px-2 py-1.5">
          <div className="flex items-center gap-1.5">
            <span className={`truncate text-[12.5px] font-semibold text-slate-900 ${node.tone === "removed" ? "line-through decoration-slate-400" : ""}`} title={node.label}>
              {node.label}
            </span>
            <span className={`ml-auto shrink-0 rounded px-1 text-[10px] font-semibold tracking-wide uppercase ${style.chip}`}>{TONE_LABELS[node.tone]}</span>
          </div>
          <div className="truncate text-[11px] text-slate-500" title={node.detail}>
            {node.detail}
          </div>
          <div className="flex items-center gap-2 overflow-hidden text-[11px] whitespace-nowrap text-slate-700 tabular-nums">
            <span className="truncate" title={node.summary}>
              {node.summary}
            </span>
            {changes.length > 0 && <span className="ml-auto shrink-0 text-[10px] text-indigo-700">{changes.join(" · ")}</span>}
          </div>
        </div>
      </div>
      <Handle type="target" position={Position.Top} isConnectable={false} className={hidden} />
      <Handle type="source" position={Position.Bottom} isConnectable={false} className={hidden} />
    </div>
  );
});
