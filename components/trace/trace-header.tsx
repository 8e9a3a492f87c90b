"use client";

import { TraceExportMenu } from "./trace-export-menu";
import Link from "next/link";
import { CompareWithMenu } from "@/components/trace-compare/compare-with-menu";
import { formatCount, formatDuration, formatPercent, formatUsd } from "@/components/ui/format";
import { ShareTraceButton } from "@/components/share/share-trace-button";
import { useSharedTrace } from "@/components/share/shared-trace-context";
import { LiveTraceBadge } from "./live-trace-badge";
import type { TraceModel } from "./trace-model";
import { WastedSpendMetric } from "./wasted-spend-metric";

/** The seed's five trace metrics, then where to look first: failures, the slowest and the priciest node. */
export function TraceHeader({ model, onJump }: { model: TraceModel; onJump: (id: string) => void }) {
  const { metrics } = model;
  const slowest = model.slowestId ? model.byId.get(model.slowestId) : undefined;
  const priciest = model.priciestId ? model.byId.get(model.priciestId) : undefined;
  const firstFailed = model.failedCount > 0 ? model.nodes.find((n) => n.status === "error") : undefined;
  const shared = useSharedTrace();
  return (
    <div className="flex flex-wrap items-center gap-x-6 gap-y-2 border-b border-slate-200 bg-white px-4 py-2">
      <div className="min-w-0">
        <div className="flex items-center gap-2 text-[11px] text-slate-500">
          {/* No prefetch: it would render the Requests page on the server while the trace view opens.
              A shared view links nowhere: its visitor has no session. */}
          {shared ? (
            <span>Shared trace</span>
          ) : (
            <>
              <Link href={`/requests?traceId=${encodeURIComponent(model.traceId)}`} prefetch={false} className="hover:text-indigo-700 hover:underline">
                Requests
              </Link>
              <span>/</span>
              <span>Trace</span>
            </>
          )}
        </div>
        {model.name ? (
          <>
            <h1 className="max-w-[22rem] truncate text-sm font-semibold text-slate-900" title={model.name}>
              {model.name}
            </h1>
            <p className="max-w-[22rem] truncate font-mono text-[11px] text-slate-500" title="Trace id">
              {model.traceId}
            </p>
          </>
        ) : (
          <h1 className="max-w-[22rem] truncate font-mono text-sm font-semibold text-slate-900" title={model.traceId}>
            {model.traceId}
          </h1>
        )}
      </div>
      <dl className="flex items-center gap-5" aria-label="Trace metrics">
        <Metric label="Total cost" value={formatUsd(metrics.totalCost, !metrics.costComplete)} title={metrics.costComplete ? undefined : "Some prices are unknown: this is a lower bound"} />
        <Metric label="Total duration" value={formatDuration(metrics.totalDurationMs)} />
        <Metric label="Node count" value={formatCount(metrics.nodeCount)} title="Requests in the trace, retries included" />
        <Metric label="Max depth" value={String(metrics.maxDepth)} />
        <Metric label="Success rate" value={formatPercent(metrics.successRate)} tone={metrics.successRate < 1 ? "bad" : "good"} />
        <WastedSpendMetric metrics={metrics} />
      </dl>
      <div className="ml-auto flex flex-wrap items-center gap-2 text-xs">
        {/* live events need a session: not on a shared page */}
        {!shared && <LiveTraceBadge traceId={model.traceId} />}
        {firstFailed && (
          <Callout tone="red" onClick={() => onJump(firstFailed.id)} title="Jump to the first failed node">
            {model.failedCount} failed
          </Callout>
        )}
        {slowest && (
          <Callout tone="orange" onClick={() => onJump(slowest.id)} title={`Slowest node: ${slowest.label}`}>
            Slowest: <span className="max-w-[9rem] truncate font-semibold">{slowest.label}</span> {formatDuration(slowest.selfLatencyMs)}
          </Callout>
        )}
        {priciest && (
          <Callout tone="amber" onClick={() => onJump(priciest.id)} title={`Most expensive node: ${priciest.label}`}>
            Most expensive: <span className="max-w-[9rem] truncate font-semibold">{priciest.label}</span> {formatUsd(priciest.ownCostUsd)}
          </Callout>
        )}
        {model.virtualCount > 0 && <span className="text-slate-500">{model.virtualCount} virtual</span>}
        <ShareTraceButton traceId={model.traceId} />
        {/* comparing needs a session: not on a shared page */}
        {!shared && <CompareWithMenu model={model} />}
      </div>
      {/* downloads need a session: not on a shared page */}
      {!shared && <TraceExportMenu traceId={model.traceId} />}
    </div>
  );
}

function Metric({ label, value, title, tone }: { label: string; value: string; title?: string; tone?: "good" | "bad" }) {
  return (
    <div title={title}>
      <dt className="text-[10px] font-medium tracking-wide text-slate-400 uppercase">{label}</dt>
      <dd className={`text-sm font-semibold tabular-nums ${tone === "bad" ? "text-red-700" : "text-slate-900"}`}>{value}</dd>
    </div>
  );
}

function Callout({ tone, onClick, title, children }: { tone: "red" | "orange" | "amber"; onClick: () => void; title: string; children: React.ReactNode }) {
  const style =
    tone === "red"
      ? "border-red-200 bg-red-50 text-red-800 hover:bg-red-100"
      : tone === "orange"
        ? "border-orange-200 bg-orange-50 text-orange-900 hover:bg-orange-100"
        : "border-amber-200 bg-amber-50 text-amber-900 hover:bg-amber-100";
  return (
    <button type="button" title={title} onClick={onClick} className={`inline-flex items-center gap-1 rounded border px-2 py-1 ${style}`}>
      {children}
    </button>
  );
}
