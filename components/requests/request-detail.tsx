"use client";

import Link from "next/link";
import { useEffect } from "react";
import { useRequest } from "@/lib/queries/requests";
import { formatCount, formatDuration, formatUsd } from "@/components/ui/format";
import { PropertyChip } from "@/components/ui/property-chip";
import { StatusBadge } from "@/components/ui/status-badge";
import { RequestBodies } from "./request-bodies";
import { TraceIcon } from "./trace-icon";

/** The side panel of the Requests page: one request in full. */
export function RequestDetailPanel({ requestId, onClose }: { requestId: string; onClose: () => void }) {
  const { data: request, error } = useRequest(requestId);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);

  return (
    <aside aria-label="Request details" className="flex h-full w-[min(44rem,55vw)] shrink-0 flex-col border-l border-slate-200 bg-white shadow-xl">
      <div className="flex items-center gap-2 border-b border-slate-200 px-3 py-2">
        <h2 className="truncate text-sm font-semibold text-slate-900">{request ? (request.model ?? request.path) : "Request"}</h2>
        {request && <StatusBadge status={request.status} cancelled={request.cancelled} />}
        <span className="truncate font-mono text-[11px] text-slate-400" title={requestId}>
          {requestId}
        </span>
        <button type="button" onClick={onClose} aria-label="Close request details" className="ml-auto rounded px-2 py-1 text-slate-500 hover:bg-slate-100 hover:text-slate-900">
          ✕
        </button>
      </div>
      <div className="min-h-0 flex-1 space-y-4 overflow-y-auto p-3">
        {error && <p className="text-xs text-red-600">{error.message}</p>}
        {request && (
          <>
            {request.errorReason && (
              <p className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-xs break-words text-red-800">
                <span className="font-semibold">Error: </span>
                {request.errorReason}
              </p>
            )}
            <dl className="grid grid-cols-4 gap-x-4 gap-y-2 text-xs">
              <Field label="Started">{new Date(request.startTime).toLocaleString()}</Field>
              <Field label="Latency">{formatDuration(request.latencyMs)}</Field>
              <Field label="Time to first token">{formatDuration(request.timeToFirstTokenMs)}</Field>
              <Field label="Provider">{request.provider}</Field>
              <Field label="Path">
                <span className="font-mono">
                  {request.method} {request.path}
                </span>
              </Field>
              <Field label="Source">{request.source}</Field>
              <Field label="Stream">{request.stream ? "yes" : "no"}</Field>
              <Field label="User">{request.userId ?? "—"}</Field>
              <Field label="Session">{request.sessionId ? `${request.sessionName ?? ""} ${request.sessionId}`.trim() : "—"}</Field>
              {request.traceId && (
                <Field label="Trace">
                  <Link
                    className="inline-flex items-center gap-1 text-indigo-700 hover:underline"
                    href={`/traces/${encodeURIComponent(request.traceId)}?node=${encodeURIComponent(request.nodeId ?? "")}`}
                  >
                    <TraceIcon className="h-3 w-3" /> open trace
                  </Link>
                </Field>
              )}
              {request.traceError && <Field label="Not traced">{request.traceError}</Field>}
            </dl>

            <section aria-label="Cost breakdown">
              <h3 className="mb-1 text-[11px] font-semibold text-slate-500 uppercase">Tokens and cost</h3>
              <table className="w-full max-w-md text-xs tabular-nums">
                <tbody>
                  <CostRow label="Prompt tokens" tokens={request.promptTokens} cost={request.costBreakdown?.inputUsd} />
                  {(request.cachedTokens ?? 0) > 0 && <CostRow label="of which cached" tokens={request.cachedTokens} muted />}
                  <CostRow label="Completion tokens" tokens={request.completionTokens} cost={request.costBreakdown?.outputUsd} />
                  <tr className="border-t border-slate-200 font-semibold">
                    <td className="py-1">Total</td>
                    <td className="py-1 text-right">{formatCount(request.totalTokens ?? ((request.promptTokens ?? 0) + (request.completionTokens ?? 0)))}</td>
                    <td className="py-1 text-right">{request.usageRollup ? "roll-up" : formatUsd(request.cost, request.costUnknown)}</td>
                  </tr>
                </tbody>
              </table>
              {request.tokensEstimated && <p className="mt-1 text-[11px] text-slate-400">Tokens counted with a tokenizer: the provider reported no usage.</p>}
              {request.usageRollup && (
                <p className="mt-1 text-[11px] text-slate-500">Roll-up: these tokens repeat the LLM calls below this span in its trace; their cost is counted there, not here.</p>
              )}
              {request.costUnknown && <p className="mt-1 text-[11px] text-amber-700">No price is known for this model: its cost is not counted.</p>}
            </section>

            {Object.keys(request.properties).length > 0 && (
              <section>
                <h3 className="mb-1 text-[11px] font-semibold text-slate-500 uppercase">Properties</h3>
                <div className="flex flex-wrap gap-1">
                  {Object.entries(request.properties).map(([key, value]) => (
                    <PropertyChip key={key} name={key} value={value} />
                  ))}
                </div>
              </section>
            )}
            <RequestBodies requestId={requestId} />
          </>
        )}
      </div>
    </aside>
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-[10px] font-medium tracking-wide text-slate-400 uppercase">{label}</dt>
      <dd className="truncate text-slate-800">{children}</dd>
    </div>
  );
}

function CostRow({ label, tokens, cost, muted = false }: { label: string; tokens: number | null; cost?: number; muted?: boolean }) {
  return (
    <tr className={muted ? "text-slate-400" : "text-slate-700"}>
      <td className="py-0.5">{label}</td>
      <td className="py-0.5 text-right">{formatCount(tokens)}</td>
      <td className="py-0.5 text-right">{cost === undefined ? "" : formatUsd(cost)}</td>
    </tr>
  );
}
