"use client";

import { useLiveTrace } from "@/lib/queries/live-events";

/**
 * Follows the trace while it is shown (new nodes, metrics and critical path arrive as they are
 * stored) and says so: "Live" while the stream is open; once the server ends it for being idle,
 * a button to watch again.
 */
export function LiveTraceBadge({ traceId }: { traceId: string }) {
  const { state, resume } = useLiveTrace(traceId);
  if (state === "live") {
    return (
      <span role="status" title="New nodes appear as they are stored" className="inline-flex items-center gap-1.5 rounded border border-emerald-200 bg-emerald-50 px-2 py-1 font-medium text-emerald-800">
        <span className="h-1.5 w-1.5 animate-pulse rounded-full bg-emerald-500" aria-hidden />
        Live
      </span>
    );
  }
  if (state === "ended") {
    return (
      <button type="button" onClick={resume} title="Nothing new was stored for a while, so updates stopped" className="rounded border border-slate-200 px-2 py-1 text-slate-600 hover:bg-slate-100">
        Watch live
      </button>
    );
  }
  return null;
}
