"use client";

import { formatDuration, formatUsd } from "@/components/ui/format";
import type { TraceViewNode } from "./trace-model";

/** Two cells of the node panel's Subtree grid: the subtree's wasted cost and wasted time. */
export function SubtreeWasteStats({ node }: { node: TraceViewNode }) {
  const title = "Failed, cancelled and replaced requests in this subtree; time that several of them share counts once";
  return (
    <>
      <div className="min-w-0" title={title}>
        <dt className="text-[10px] font-medium tracking-wide text-slate-400 uppercase">Wasted cost</dt>
        <dd className={`truncate font-medium tabular-nums ${node.subtreeWastedCostUsd > 0 ? "text-red-700" : "text-slate-800"}`} data-testid="subtree-wasted-cost">
          {formatUsd(node.subtreeWastedCostUsd)}
        </dd>
      </div>
      <div className="min-w-0" title={title}>
        <dt className="text-[10px] font-medium tracking-wide text-slate-400 uppercase">Wasted time</dt>
        <dd className={`truncate font-medium tabular-nums ${node.subtreeWastedDurationMs > 0 ? "text-red-700" : "text-slate-800"}`} data-testid="subtree-wasted-time">
          {formatDuration(node.subtreeWastedDurationMs)}
        </dd>
      </div>
    </>
  );
}
