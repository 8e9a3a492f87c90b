"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import type { TraceModel } from "@/components/trace/trace-model";
import { formatCount, formatDuration, formatTime, formatUsd } from "@/components/ui/format";
import { useSession } from "@/lib/queries/sessions";
import { traceComparePagePath } from "@/lib/queries/trace-compare";

/**
 * "Compare with…" in the trace header: another trace of the same session, or any trace by id.
 * This trace is A, the other one B (deltas read b − a; the compare page can swap them).
 */
export function CompareWithMenu({ model }: { model: TraceModel }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const sessionId = useMemo(() => sessionOf(model), [model]);

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !box.current?.contains(event.target as Node)) setOpen(false);
    };
    window.addEventListener("mousedown", close);
    window.addEventListener("keydown", close);
    return () => {
      window.removeEventListener("mousedown", close);
      window.removeEventListener("keydown", close);
    };
  }, [open]);

  return (
    <div ref={box} className="relative">
      <button
        type="button"
        aria-expanded={open}
        aria-haspopup="dialog"
        onClick={() => setOpen(!open)}
        className="inline-flex items-center gap-1 rounded border border-slate-300 bg-white px-2 py-1 text-slate-700 hover:bg-slate-50"
      >
        Compare with…
      </button>
      {open && (
        <div role="dialog" aria-label="Compare with another trace" className="absolute right-0 z-30 mt-1 w-96 space-y-3 rounded-md border border-slate-200 bg-white p-3 text-xs shadow-lg">
          {sessionId && <SessionTraces sessionId={sessionId} traceId={model.traceId} />}
          <ById traceId={model.traceId} />
        </div>
      )}
    </div>
  );
}

/** The session the trace belongs to: its first request that names one. */
function sessionOf(model: TraceModel): string | null {
  for (const node of model.nodes) for (const attempt of node.attempts) if (attempt.sessionId) return attempt.sessionId;
  return null;
}

function SessionTraces({ sessionId, traceId }: { sessionId: string; traceId: string }) {
  const { data, error, isPending } = useSession(sessionId);
  const others = (data?.traces ?? []).filter((trace) => trace.traceId !== traceId).sort((x, y) => y.startTime.localeCompare(x.startTime));
  return (
    <section aria-label="Other traces of this session">
      <h3 className="mb-1 text-[11px] font-semibold text-slate-500 uppercase">
        Same session{data?.name ? `: ${data.name}` : ""}
      </h3>
      {isPending && <p className="text-slate-400">Loading the session…</p>}
      {error && <p className="text-red-700">{error.message}</p>}
      {data && others.length === 0 && <p className="text-slate-400">No other trace in this session.</p>}
      <ul className="max-h-56 divide-y divide-slate-100 overflow-y-auto rounded border border-slate-200">
        {others.map((trace) => (
          <li key={trace.traceId}>
            <Link href={traceComparePagePath(traceId, trace.traceId)} prefetch={false} className="block px-2 py-1 hover:bg-indigo-50">
              <span className="block truncate font-mono text-[11px] text-slate-800" title={trace.traceId}>
                {trace.traceId}
              </span>
              <span className="flex gap-2 text-[11px] text-slate-500 tabular-nums">
                <span>{formatTime(trace.startTime)}</span>
                <span>{formatCount(trace.metrics.nodeCount)} nodes</span>
                <span>{formatDuration(trace.metrics.totalDurationMs)}</span>
                <span>{formatUsd(trace.metrics.totalCost, !trace.metrics.costComplete)}</span>
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ById({ traceId }: { traceId: string }) {
  const router = useRouter();
  const [other, setOther] = useState("");
  return (
    <form
      aria-label="Compare with a trace by id"
      className="flex items-center gap-1.5"
      onSubmit={(event) => {
        event.preventDefault();
        if (other.trim()) router.push(traceComparePagePath(traceId, other.trim()));
      }}
    >
      <input
        value={other}
        onChange={(event) => setOther(event.target.value)}
        aria-label="Trace id to compare with"
        placeholder="Trace id…"
        className="h-7 min-w-0 flex-1 rounded border border-slate-300 px-2 font-mono text-[11px] focus:border-indigo-500 focus:ring-2 focus:ring-indigo-100 focus:outline-none"
      />
      <button type="submit" disabled={!other.trim()} className="h-7 rounded bg-indigo-600 px-2 font-medium text-white hover:bg-indigo-500 disabled:opacity-40">
        Compare
      </button>
    </form>
  );
}
