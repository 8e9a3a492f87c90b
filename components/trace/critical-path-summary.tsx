"use client";

import { useMemo } from "react";
import { formatCount, formatDuration } from "@/components/ui/format";
import { criticalPathSavings } from "@/lib/domain/critical-path-time";
import { firstTokenSplitOf, savingsSentence } from "./first-token-split";
import type { TraceModel } from "./trace-model";

/**
 * A strip under the trace header: where the critical path's time went. Its streamed LLM calls'
 * time to first token against generation, and the parent whose calls, run at once instead of one
 * after another, could end the trace soonest (a click selects it). Nothing when there is neither.
 */
export function CriticalPathSummary({ model, onJump }: { model: TraceModel; onJump: (id: string) => void }) {
  const { streams, savings } = useMemo(() => {
    const streams = { count: 0, firstTokenMs: 0, generationMs: 0 };
    for (const node of model.nodes) {
      const split = node.onCriticalPath ? firstTokenSplitOf(node) : null;
      if (!split) continue;
      streams.count++;
      streams.firstTokenMs += split.firstTokenMs;
      streams.generationMs += split.generationMs;
    }
    return { streams, savings: criticalPathSavings(model.nodes, model.byId) };
  }, [model]);
  const top = savings[0];
  if (streams.count === 0 && !top) return null;
  const parent = top ? model.byId.get(top.parentId)! : undefined;
  return (
    <section aria-label="Critical path time" className="flex flex-wrap items-center gap-x-4 gap-y-1 border-b border-slate-200 bg-violet-50 px-4 py-1 text-xs text-slate-700">
      <span className="font-semibold text-violet-800">Critical path</span>
      {streams.count > 0 && (
        <span data-testid="critical-path-first-token" title="Streamed LLM calls on the critical path: waiting for the first token, then generating the rest">
          {formatCount(streams.count)} streamed call{streams.count === 1 ? "" : "s"}: <strong className="tabular-nums">{formatDuration(streams.firstTokenMs)}</strong> to first token ·{" "}
          <strong className="tabular-nums">{formatDuration(streams.generationMs)}</strong> generating
        </span>
      )}
      {top && parent && (
        <button
          type="button"
          data-testid="critical-path-savings"
          onClick={() => onJump(top.parentId)}
          title="They ran one after another on the critical path; had they all started with the first, the trace could have ended up to this much sooner (if none needed another's answer)"
          className="rounded border border-violet-200 bg-white px-2 py-0.5 text-left hover:bg-violet-100"
        >
          <span className="font-medium">{parent.label}</span>: {savingsSentence(top.savingsMs, top.childCount, formatDuration)}
          {savings.length > 1 && <span className="text-slate-500"> · {savings.length - 1} more on the path</span>}
        </button>
      )}
    </section>
  );
}
