"use client";

import Link from "next/link";
import { useState } from "react";
import { formatCount, formatDuration, formatUsd } from "@/components/ui/format";
import { PropertyChip } from "@/components/ui/property-chip";
import { StatusBadge } from "@/components/ui/status-badge";
import { AttemptBodies } from "@/components/share/attempt-bodies";
import { useSharedTrace } from "@/components/share/shared-trace-context";
import { NodeTimeBreakdown } from "./node-time-breakdown";
import { SubtreeWasteStats } from "./subtree-waste-stats";
import { rollupTitle, type TraceModel, type TraceViewNode } from "./trace-model";

interface Props {
  model: TraceModel;
  node: TraceViewNode;
  onClose: () => void;
  onSelect: (id: string) => void;
}

/** Everything about one node: its request and response, cost, latency, tokens, attempts and subtree. */
export function NodeDetailsPanel({ model, node, onClose, onSelect }: Props) {
  const [attemptIndex, setAttemptIndex] = useState(node.attempts.length - 1);
  const attempt = node.attempts[attemptIndex] ?? node.attempts.at(-1);
  const parent = node.parentId ? model.byId.get(node.parentId) : undefined;
  const offsetMs = attempt ? Date.parse(attempt.startTime) - model.startMs : node.startMs - model.startMs;
  const shared = useSharedTrace();

  return (
    <aside aria-label="Node details" className="flex h-full w-[26rem] shrink-0 flex-col border-l border-slate-200 bg-white">
      <div className="flex items-start gap-2 border-b border-slate-200 px-3 py-2">
        <div className="min-w-0 flex-1">
          <div className="flex items-center gap-2">
            <h2 className="truncate text-sm font-semibold text-slate-900" title={node.label}>
              {node.label}
            </h2>
            {attempt ? <StatusBadge status={attempt.status} cancelled={attempt.cancelled} /> : <span className="rounded bg-slate-200 px-1.5 text-[11px] text-slate-600">virtual</span>}
            {node.onCriticalPath && <span className="rounded bg-violet-100 px-1.5 text-[10px] font-semibold text-violet-800 uppercase">critical path</span>}
          </div>
          <p className="mt-0.5 font-mono text-[11px] break-all text-slate-500" title="Node id">
            {node.id}
          </p>
        </div>
        <button type="button" onClick={onClose} aria-label="Close node details" className="rounded px-2 py-1 text-slate-500 hover:bg-slate-100 hover:text-slate-900">
          ✕
        </button>
      </div>

      <div className="min-h-0 flex-1 space-y-4 overflow-y-auto p-3 text-xs">
        {node.isVirtual && (
          <p className="rounded-md border border-dashed border-slate-300 bg-slate-50 px-3 py-2 text-slate-600">
            <strong>Virtual node.</strong> No request was logged with this id; it stands in for an ancestor that only its descendants&apos; node ids name. Its
            numbers are those of its subtree.
          </p>
        )}
        {attempt?.errorReason && (
          <p className="rounded-md border border-red-200 bg-red-50 px-3 py-2 break-words text-red-800">
            <span className="font-semibold">Failed: </span>
            {attempt.errorReason}
          </p>
        )}

        {attempt && (
          <dl className="grid grid-cols-3 gap-x-3 gap-y-2" aria-label="Node metrics">
            <Stat label="Latency" value={formatDuration(node.selfLatencyMs)} testId="node-latency" />
            <Stat label="Cost" value={node.usageRollup ? "roll-up" : formatUsd(node.ownCostUsd, node.ownCostUnknown)} title={node.usageRollup ? rollupTitle(node.llmCallsBelow) : undefined} testId="node-cost" />
            <Stat label="Time to first token" value={formatDuration(attempt.timeToFirstTokenMs)} />
            <Stat
              label={node.usageRollup ? `Tokens: roll-up of ${formatCount(node.llmCallsBelow)}` : "Tokens in → out"}
              value={`${formatCount(node.promptTokens)} → ${formatCount(node.completionTokens)}`}
              title={node.usageRollup ? rollupTitle(node.llmCallsBelow) : undefined}
              testId="node-tokens"
            />
            <Stat label="Model" value={attempt.model ?? "—"} />
            <Stat label="Provider" value={attempt.provider} />
            <Stat label="Started" value={`+${formatDuration(offsetMs)}`} title={attempt.startTime} />
            <Stat label="Source" value={attempt.source} />
            {node.kind && <Stat label="Kind" value={node.kind} />}
            <Stat label="User" value={attempt.userId ?? "—"} />
          </dl>
        )}

        <NodeTimeBreakdown model={model} node={node} />
        <section aria-label="Subtree totals">
          <h3 className="mb-1 text-[11px] font-semibold text-slate-500 uppercase">Subtree</h3>
          <dl className="grid grid-cols-3 gap-x-3 gap-y-2">
            <Stat label="Duration" value={formatDuration(node.subtreeLatencyMs)} />
            <Stat label="Cost" value={formatUsd(node.subtreeCostUsd, !node.subtreeCostComplete)} />
            <Stat label="Requests" value={formatCount(node.subtreeRequestCount)} />
            <Stat label="Descendants" value={formatCount(node.descendantCount)} />
            <Stat label="Depth" value={String(node.depth)} />
            <Stat label="Share of trace" value={model.metrics.totalDurationMs > 0 ? `${Math.round((node.subtreeLatencyMs / model.metrics.totalDurationMs) * 100)}% time` : "—"} />
            <SubtreeWasteStats node={node} />
          </dl>
        </section>

        {attempt && Object.keys(attempt.properties).length > 0 && (
          <section>
            <h3 className="mb-1 text-[11px] font-semibold text-slate-500 uppercase">Properties</h3>
            <div className="flex flex-wrap gap-1">
              {Object.entries(attempt.properties).map(([key, value]) => (
                <PropertyChip key={key} name={key} value={value} />
              ))}
            </div>
          </section>
        )}

        {node.attempts.length > 1 && (
          <section aria-label="Attempts">
            <h3 className="mb-1 text-[11px] font-semibold text-slate-500 uppercase">Attempts ({node.attempts.length})</h3>
            <ol className="divide-y divide-slate-100 rounded border border-slate-200">
              {node.attempts.map((a, i) => (
                <li key={a.id}>
                  <button
                    type="button"
                    aria-pressed={i === attemptIndex}
                    onClick={() => setAttemptIndex(i)}
                    className={`flex w-full items-center gap-2 px-2 py-1 text-left tabular-nums ${i === attemptIndex ? "bg-indigo-50" : "hover:bg-slate-50"}`}
                  >
                    <span className="w-5 text-slate-400">#{i + 1}</span>
                    <StatusBadge status={a.status} cancelled={a.cancelled} />
                    <span>{formatDuration(a.latencyMs)}</span>
                    <span className="text-slate-500">{formatUsd(a.cost, a.costUnknown)}</span>
                    <span className="ml-auto truncate text-slate-400">+{formatDuration(Date.parse(a.startTime) - model.startMs)}</span>
                  </button>
                </li>
              ))}
            </ol>
          </section>
        )}

        <nav aria-label="Related nodes" className="flex flex-wrap gap-1.5">
          {parent && (
            <button type="button" className="rounded border border-slate-200 px-2 py-0.5 hover:bg-slate-50" onClick={() => onSelect(parent.id)}>
              ↑ Parent: <span className="font-medium">{parent.label}</span>
            </button>
          )}
          {node.childIds.length > 0 && <span className="px-1 py-0.5 text-slate-500">{node.childIds.length} children</span>}
          {attempt && !shared && (
            <Link prefetch={false} className="rounded border border-slate-200 px-2 py-0.5 text-indigo-700 hover:bg-indigo-50" href={`/requests?traceId=${encodeURIComponent(model.traceId)}&request=${encodeURIComponent(attempt.id)}`}>
              Open in Requests
            </Link>
          )}
        </nav>

        {attempt && (
          <section aria-label="Request and response">
            <h3 className="mb-1 text-[11px] font-semibold text-slate-500 uppercase">Request and response</h3>
            <AttemptBodies key={attempt.id} requestId={attempt.id} />
          </section>
        )}
      </div>
    </aside>
  );
}

function Stat({ label, value, title, testId }: { label: string; value: string; title?: string; testId?: string }) {
  return (
    <div className="min-w-0" title={title}>
      <dt className="text-[10px] font-medium tracking-wide text-slate-400 uppercase">{label}</dt>
      <dd className="truncate font-medium text-slate-800 tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}
