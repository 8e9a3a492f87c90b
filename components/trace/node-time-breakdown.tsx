"use client";

import { formatDuration } from "@/components/ui/format";
import { parallelSavingsMs } from "@/lib/domain/critical-path-time";
import { firstTokenSplitOf, savingsSentence } from "./first-token-split";
import type { TraceModel, TraceViewNode } from "./trace-model";

/**
 * The node panel's "Where the time went": a streamed call's time to first token against
 * generation, and for a parent on the critical path what running its children at once could save.
 */
export function NodeTimeBreakdown({ model, node }: { model: TraceModel; node: TraceViewNode }) {
  const split = firstTokenSplitOf(node);
  const savingsMs = node.onCriticalPath ? parallelSavingsMs(node.childIds.map((id) => model.byId.get(id)!)) : 0;
  if (!split && savingsMs <= 0) return null;
  const total = split ? split.firstTokenMs + split.generationMs : 0;
  return (
    <section aria-label="Where the time went">
      <h3 className="mb-1 text-[11px] font-semibold text-slate-500 uppercase">Where the time went</h3>
      {split && (
        <div data-testid="node-first-token-split">
          <div className="flex h-2 overflow-hidden rounded bg-slate-100" aria-hidden>
            <span className="bg-violet-300" style={{ width: `${total > 0 ? (split.firstTokenMs / total) * 100 : 0}%` }} />
            <span className="bg-violet-600" style={{ width: `${total > 0 ? (split.generationMs / total) * 100 : 0}%` }} />
          </div>
          <p className="mt-1 text-slate-600 tabular-nums">
            <span className="mr-1 inline-block h-2 w-2 rounded-sm bg-violet-300" />
            {formatDuration(split.firstTokenMs)} to first token
            <span className="mr-1 ml-3 inline-block h-2 w-2 rounded-sm bg-violet-600" />
            {formatDuration(split.generationMs)} generating
          </p>
        </div>
      )}
      {savingsMs > 0 && (
        <p className="mt-1 rounded-md border border-violet-200 bg-violet-50 px-3 py-2 text-violet-900" data-testid="node-parallel-savings">
          Its calls ran one after another on the critical path: {savingsSentence(savingsMs, node.childIds.length, formatDuration)}.
        </p>
      )}
    </section>
  );
}
