"use client";

import Link from "next/link";
import { useMemo } from "react";
import { StatusBadge } from "@/components/ui/status-badge";
import { formatCount, formatDuration, formatUsd } from "@/components/ui/format";
import { exchangeText, type ExchangeText } from "@/lib/domain/exchange-text";
import { useRequest } from "@/lib/queries/requests";
import type { ComparedNodeSide, TraceCompareResponse } from "@/lib/queries/trace-compare";
import { formatDelta, TONE_LABELS, type CompareViewNode } from "./compare-model";
import { TONE_STYLES } from "./compare-node-card";
import { TextDiff } from "./text-diff";

interface Props {
  response: TraceCompareResponse;
  node: CompareViewNode;
  onClose: () => void;
}

/** One aligned node: its numbers in A and B with deltas, and its prompt and answer side by side. */
export function CompareNodePanel({ response, node, onClose }: Props) {
  const { compared } = node;
  const { a, b, deltas } = compared;
  const rows: Array<{ label: string; a: React.ReactNode; b: React.ReactNode; delta: string }> = [
    { label: "Status", a: statusOf(a), b: statusOf(b), delta: formatDelta(deltas.statusCode, String) },
    { label: "Model", a: a?.model ?? "—", b: b?.model ?? "—", delta: a && b && a.model !== b.model ? "changed" : "" },
    { label: "Latency", a: formatDuration(a?.latencyMs), b: formatDuration(b?.latencyMs), delta: formatDelta(deltas.latencyMs, formatDuration) },
    { label: "Cost", a: a ? formatUsd(a.cost, a.costUnknown) : "—", b: b ? formatUsd(b.cost, b.costUnknown) : "—", delta: formatDelta(deltas.cost, (v) => formatUsd(v)) },
    { label: "Tokens in", a: formatCount(a?.promptTokens), b: formatCount(b?.promptTokens), delta: formatDelta(deltas.promptTokens, formatCount) },
    { label: "Tokens out", a: formatCount(a?.completionTokens), b: formatCount(b?.completionTokens), delta: formatDelta(deltas.completionTokens, formatCount) },
    { label: "Attempts", a: formatCount(a?.requestCount), b: formatCount(b?.requestCount), delta: "" },
  ];

  return (
    <aside aria-label="Compared node" className="flex h-full w-[40rem] max-w-[55%] shrink-0 flex-col border-l border-slate-200 bg-white">
      <div className="flex items-start gap-2 border-b border-slate-200 px-3 py-2">
        <div className="min-w-0 flex-1">
          <div className="flex items-center gap-2">
            <h2 className="truncate text-sm font-semibold text-slate-900" title={node.label}>
              {node.label}
            </h2>
            <span className={`rounded px-1.5 text-[10px] font-semibold uppercase ${TONE_STYLES[node.tone].chip}`}>{TONE_LABELS[node.tone]}</span>
          </div>
          <p className="mt-0.5 font-mono text-[11px] break-all text-slate-500" title="Path: the node id without its trace segment">
            {compared.path === "" ? "(the trace's root)" : compared.path}
          </p>
          {compared.changes.length > 0 && <p className="mt-0.5 text-[11px] text-slate-600">Changed: {compared.changes.join(", ")}</p>}
        </div>
        <button type="button" onClick={onClose} aria-label="Close node comparison" className="rounded px-2 py-1 text-slate-500 hover:bg-slate-100 hover:text-slate-900">
          ✕
        </button>
      </div>

      <div className="min-h-0 flex-1 space-y-4 overflow-y-auto p-3 text-xs">
        <table className="w-full tabular-nums" aria-label="Node in A and B">
          <thead>
            <tr className="text-[10px] tracking-wide text-slate-400 uppercase">
              <th className="text-left font-medium" />
              <th className="text-left font-medium">A</th>
              <th className="text-left font-medium">B</th>
              <th className="text-right font-medium">Δ b − a</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.label} className="border-t border-slate-100">
                <th scope="row" className="py-0.5 pr-2 text-left font-normal text-slate-500">
                  {row.label}
                </th>
                <td className="py-0.5 pr-2 font-medium text-slate-800">{row.a}</td>
                <td className="py-0.5 pr-2 font-medium text-slate-800">{row.b}</td>
                <td className="py-0.5 text-right text-slate-600">{row.delta}</td>
              </tr>
            ))}
          </tbody>
        </table>

        <nav aria-label="Open in its trace" className="flex flex-wrap gap-1.5">
          {a && <NodeLink traceId={response.a.traceId} nodeId={a.nodeId} side="A" />}
          {b && <NodeLink traceId={response.b.traceId} nodeId={b.nodeId} side="B" />}
        </nav>

        <ContentDiff key={`${a?.requestId}|${b?.requestId}`} a={a} b={b} />
      </div>
    </aside>
  );
}

function statusOf(side: ComparedNodeSide | null): React.ReactNode {
  if (!side) return "—";
  return side.statusCode === null ? <span className="text-slate-500">virtual</span> : <StatusBadge status={side.statusCode} />;
}

function NodeLink({ traceId, nodeId, side }: { traceId: string; nodeId: string; side: "A" | "B" }) {
  return (
    <Link prefetch={false} className="rounded border border-slate-200 px-2 py-0.5 text-indigo-700 hover:bg-indigo-50" href={`/traces/${encodeURIComponent(traceId)}?node=${encodeURIComponent(nodeId)}`}>
      Open in trace {side}
    </Link>
  );
}

/** The standing attempts' prompt and answer, read as the server compared them (exchangeText). */
function ContentDiff({ a, b }: { a: ComparedNodeSide | null; b: ComparedNodeSide | null }) {
  const left = useExchange(a?.requestId ?? null);
  const right = useExchange(b?.requestId ?? null);
  if (!a?.requestId && !b?.requestId) return <p className="text-slate-500">Virtual on both sides: no request, so no prompt or answer to compare.</p>;
  if (left.pending || right.pending) return <p className="text-slate-400">Loading prompt and answer…</p>;
  if (left.error || right.error) return <p className="text-red-700">Could not load the requests: {(left.error ?? right.error)!.message}</p>;
  return (
    <div className="space-y-3">
      <TextDiff label="Prompt" before={left.text?.prompt ?? null} after={right.text?.prompt ?? null} />
      <TextDiff label="Answer" before={left.text?.answer ?? null} after={right.text?.answer ?? null} />
    </div>
  );
}

function useExchange(requestId: string | null): { pending: boolean; error: Error | null; text: ExchangeText | null } {
  const { data, error, isPending } = useRequest(requestId);
  const text = useMemo(() => (data ? exchangeText(data.source, data.requestBody, data.responseBody) : null), [data]);
  return { pending: requestId !== null && isPending, error, text };
}
