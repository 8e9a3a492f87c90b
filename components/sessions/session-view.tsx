"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import { isSuccessStatus } from "@/lib/domain/request-status";
import { useSession, type SessionDetail } from "@/lib/queries/sessions";
import { RequestDetailPanel } from "@/components/requests/request-detail";
import { TraceIcon } from "@/components/requests/trace-icon";
import { formatCount, formatDuration, formatPercent, formatUsd } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import { CompareBar, CompareCheckbox } from "@/components/trace-compare/compare-selection";
import { useSearchParamsUpdate } from "@/components/ui/use-search-params-update";

const LABEL_PROPERTIES = ["step", "stage", "aspect", "name", "task"];

/** One session: its numbers, its requests on a time axis, and links to the traces inside it. */
export function SessionView({ sessionId }: { sessionId: string }) {
  const { data, error, isPending } = useSession(sessionId);
  const searchParams = useSearchParams();
  const updateParams = useSearchParamsUpdate();
  const openRequestId = searchParams.get("request");
  const select = useCallback((id: string | null) => updateParams((params) => (id ? params.set("request", id) : params.delete("request")), { mode: "replace" }), [updateParams]);

  if (isPending) return <p className="p-6 text-sm text-slate-500">Loading session…</p>;
  if (error) return <p className="p-6 text-sm text-red-700">{error.message}</p>;
  return (
    <div className="flex h-full">
      <div className="flex min-w-0 flex-1 flex-col">
        <SessionHeader session={data} />
        <div className="min-h-0 flex-1 space-y-4 overflow-auto bg-white p-4">
          <SessionTimeline session={data} selectedId={openRequestId} onSelect={select} />
          <TraceList session={data} />
        </div>
      </div>
      {openRequestId && <RequestDetailPanel key={openRequestId} requestId={openRequestId} onClose={() => select(null)} />}
    </div>
  );
}

function SessionHeader({ session }: { session: SessionDetail }) {
  const failed = session.requests.filter((r) => !isSuccessStatus(r.status)).length;
  return (
    <div className="flex flex-wrap items-center gap-x-6 gap-y-2 border-b border-slate-200 bg-white px-4 py-2">
      <div className="min-w-0">
        <div className="text-[11px] text-slate-500">
          <Link href="/sessions" className="hover:text-indigo-700 hover:underline">
            Sessions
          </Link>{" "}
          /
        </div>
        <h1 className="truncate text-sm font-semibold text-slate-900">
          {session.name ?? "(unnamed session)"} <span className="ml-1 font-mono text-[11px] font-normal text-slate-400">{session.sessionId}</span>
        </h1>
      </div>
      <dl className="flex items-center gap-5" aria-label="Session metrics">
        <Metric label="Requests" value={formatCount(session.requestCount)} />
        <Metric label="Traces" value={formatCount(session.traces.length)} />
        <Metric label="Cost" value={formatUsd(session.totalCost, !session.costComplete)} />
        <Metric label="Duration" value={formatDuration(session.durationMs)} />
        <Metric label="Errors" value={formatCount(failed)} bad={failed > 0} />
        <Metric label="Started" value={new Date(session.startTime).toLocaleString()} />
      </dl>
      <div className="ml-auto flex flex-wrap gap-1 text-xs">
        {session.userIds.map((userId) => (
          <Link key={userId} href={`/requests?userId=${encodeURIComponent(userId)}`} className="rounded bg-slate-100 px-2 py-0.5 text-slate-700 hover:bg-indigo-50 hover:text-indigo-800">
            {userId}
          </Link>
        ))}
        <Link href={`/requests?sessionId=${encodeURIComponent(session.sessionId)}`} className="rounded border border-slate-200 px-2 py-0.5 text-indigo-700 hover:bg-indigo-50">
          Open in Requests
        </Link>
      </div>
    </div>
  );
}

function SessionTimeline({ session, selectedId, onSelect }: { session: SessionDetail; selectedId: string | null; onSelect: (id: string) => void }) {
  const start = Date.parse(session.startTime);
  const span = Math.max(1, Date.parse(session.endTime) - start);
  const rows = useMemo(
    () =>
      session.requests.map((request) => ({
        request,
        label: LABEL_PROPERTIES.map((key) => request.properties[key]).find(Boolean) ?? request.model ?? request.path,
        left: ((Date.parse(request.startTime) - start) / span) * 100,
        width: ((Date.parse(request.endTime) - Date.parse(request.startTime)) / span) * 100,
      })),
    [session, start, span],
  );
  return (
    <section aria-label="Session timeline">
      <h2 className="mb-1 text-[11px] font-semibold text-slate-500 uppercase">Timeline</h2>
      <div className="rounded border border-slate-200">
        <div className="flex border-b border-slate-200 bg-slate-50 text-[10px] text-slate-500">
          <span className="w-[22rem] shrink-0 px-2 py-1">Request</span>
          <span className="flex flex-1 justify-between px-2 py-1">
            <span>0</span>
            <span>{formatDuration(span / 2)}</span>
            <span>{formatDuration(span)}</span>
          </span>
        </div>
        <ol>
          {rows.map(({ request, label, left, width }) => (
            <li
              key={request.id}
              onClick={() => onSelect(request.id)}
              aria-selected={request.id === selectedId}
              className={`flex h-7 cursor-pointer items-center border-b border-slate-100 text-xs last:border-0 ${request.id === selectedId ? "bg-indigo-50" : "hover:bg-slate-50"}`}
            >
              <span className="flex w-[22rem] shrink-0 items-center gap-2 overflow-hidden px-2">
                <span className="w-14 shrink-0 text-right font-mono text-[10px] text-slate-400 tabular-nums">+{formatDuration(Date.parse(request.startTime) - start)}</span>
                <StatusBadge status={request.status} cancelled={request.cancelled} />
                <span className="truncate text-slate-800" title={label}>
                  {label}
                </span>
                {request.traceId && (
                  <Link
                    aria-label="Open trace"
                    title={`Open trace ${request.traceId}`}
                    onClick={(e) => e.stopPropagation()}
                    href={`/traces/${encodeURIComponent(request.traceId)}?node=${encodeURIComponent(request.nodeId ?? "")}`}
                    className="ml-auto shrink-0 rounded p-0.5 text-slate-400 hover:bg-indigo-100 hover:text-indigo-700"
                  >
                    <TraceIcon className="h-3 w-3" />
                  </Link>
                )}
              </span>
              <span className="relative h-full flex-1 px-2">
                <span className="relative block h-full">
                  <span
                    className={`absolute top-2 h-3 rounded-sm ${isSuccessStatus(request.status) ? "bg-indigo-400" : "bg-red-500"}`}
                    style={{ left: `${left}%`, width: `max(2px, ${width}%)` }}
                    title={`${formatDuration(request.latencyMs)} · ${formatUsd(request.cost, request.costUnknown)}`}
                  />
                </span>
              </span>
              <span className="w-40 shrink-0 px-2 text-right whitespace-nowrap text-slate-500 tabular-nums">
                {formatDuration(request.latencyMs)} · {formatUsd(request.cost, request.costUnknown)}
              </span>
            </li>
          ))}
        </ol>
      </div>
    </section>
  );
}

function TraceList({ session }: { session: SessionDetail }) {
  if (session.traces.length === 0) return null;
  return (
    <section aria-label="Traces in this session">
      <div className="mb-1 flex items-center gap-3">
        <h2 className="text-[11px] font-semibold text-slate-500 uppercase">Traces</h2>
        <CompareBar />
      </div>
      <ul className="grid grid-cols-[repeat(auto-fill,minmax(18rem,1fr))] gap-2">
        {session.traces.map((trace) => (
          <li key={trace.traceId} className="relative">
            <CompareCheckbox traceId={trace.traceId} className="absolute top-2 right-2" />
            <Link href={`/traces/${encodeURIComponent(trace.traceId)}`} className="block rounded border border-slate-200 p-2 pr-7 text-xs hover:border-indigo-300 hover:bg-indigo-50/40">
              <div className="flex items-center gap-1.5 font-mono text-[11px] text-slate-700">
                <TraceIcon className="h-3 w-3 text-indigo-500" />
                <span className="truncate">{trace.traceId}</span>
              </div>
              <div className="mt-1 flex gap-3 text-slate-600 tabular-nums">
                <span>{formatCount(trace.metrics.nodeCount)} nodes</span>
                <span>{formatDuration(trace.metrics.totalDurationMs)}</span>
                <span>{formatUsd(trace.metrics.totalCost, !trace.metrics.costComplete)}</span>
                <span className={trace.metrics.successRate < 1 ? "text-red-700" : "text-emerald-700"}>{formatPercent(trace.metrics.successRate)} ok</span>
              </div>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Metric({ label, value, bad = false }: { label: string; value: string; bad?: boolean }) {
  return (
    <div>
      <dt className="text-[10px] font-medium tracking-wide text-slate-400 uppercase">{label}</dt>
      <dd className={`text-sm font-semibold tabular-nums ${bad ? "text-red-700" : "text-slate-900"}`}>{value}</dd>
    </div>
  );
}
