"use client";

import Link from "next/link";
import { formatCount, formatDuration, formatPercent, formatUsd } from "@/components/ui/format";
import type { TraceMetricDeltas } from "@/lib/contracts/trace-compare";
import { traceComparePagePath } from "@/lib/queries/trace-compare";
import { formatDelta, TONE_LABELS, type CompareModel, type CompareTone } from "./compare-model";
import { TONE_STYLES } from "./compare-node-card";

type MetricKey = keyof TraceMetricDeltas;

/** The trace header's metrics, each with how to show it and whether more of it is better. */
const METRICS: Array<{ key: MetricKey; label: string; format: (value: number) => string; higherIsBetter: boolean }> = [
  { key: "totalCost", label: "Total cost", format: (v) => formatUsd(v), higherIsBetter: false },
  { key: "totalDurationMs", label: "Total duration", format: formatDuration, higherIsBetter: false },
  { key: "nodeCount", label: "Node count", format: formatCount, higherIsBetter: false },
  { key: "maxDepth", label: "Max depth", format: String, higherIsBetter: false },
  { key: "successRate", label: "Success rate", format: formatPercent, higherIsBetter: true },
  { key: "wastedCost", label: "Wasted spend", format: (v) => formatUsd(v), higherIsBetter: false },
  { key: "wastedDurationMs", label: "Wasted time", format: formatDuration, higherIsBetter: false },
];

const COUNTED: CompareTone[] = ["failed", "slower", "dearer", "changed", "added", "removed", "same"];

/** Both traces' metrics side by side, the deltas (b − a) beneath, and how many nodes changed how. */
export function CompareHeader({ model }: { model: CompareModel }) {
  const { a, b, deltas } = model.response;
  return (
    <div className="flex flex-wrap items-start gap-x-6 gap-y-2 border-b border-slate-200 bg-white px-4 py-2">
      <div className="min-w-0">
        <div className="text-[11px] text-slate-500">
          <Link href="/requests" prefetch={false} className="hover:text-indigo-700 hover:underline">
            Requests
          </Link>{" "}
          / Compare traces
        </div>
        <h1 className="text-sm font-semibold text-slate-900">Trace A against trace B</h1>
        <Link href={traceComparePagePath(b.traceId, a.traceId)} prefetch={false} className="text-[11px] text-indigo-700 hover:underline">
          ⇄ Swap A and B
        </Link>
      </div>
      <table className="text-xs tabular-nums" aria-label="Trace metrics, A and B">
        <thead>
          <tr className="text-[10px] font-medium tracking-wide text-slate-400 uppercase">
            <th className="pr-3 text-left font-medium">Trace</th>
            {METRICS.map((metric) => (
              <th key={metric.key} className="px-2 text-right font-medium">
                {metric.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[
            { side: "A", trace: a },
            { side: "B", trace: b },
          ].map(({ side, trace: { traceId, metrics } }) => {
            return (
              <tr key={side}>
                <th className="max-w-[16rem] truncate pr-3 text-left font-normal" scope="row">
                  <span className="mr-1 font-semibold text-slate-500">{side}</span>
                  <Link href={`/traces/${encodeURIComponent(traceId)}`} prefetch={false} className="font-mono text-[11px] text-slate-800 hover:text-indigo-700 hover:underline" title={traceId}>
                    {traceId}
                  </Link>
                </th>
                {METRICS.map((metric) => (
                  <td key={metric.key} className="px-2 text-right font-semibold text-slate-900">
                    {metric.key === "totalCost" ? formatUsd(metrics.totalCost, !metrics.costComplete) : metric.format(metrics[metric.key])}
                  </td>
                ))}
              </tr>
            );
          })}
          <tr className="border-t border-slate-100">
            <th className="pr-3 text-left font-normal text-slate-500" scope="row" title="Every delta is b − a">
              Δ b − a
            </th>
            {METRICS.map((metric) => {
              const delta = deltas[metric.key];
              const better = delta === 0 ? null : (delta > 0) === metric.higherIsBetter;
              return (
                <td key={metric.key} data-metric={metric.key} className={`px-2 text-right font-semibold ${better === null ? "text-slate-400" : better ? "text-emerald-700" : "text-red-700"}`}>
                  {formatDelta(delta, metric.key === "successRate" ? (v) => `${Number((v * 100).toFixed(1))} pt` : metric.format)}
                </td>
              );
            })}
          </tr>
        </tbody>
      </table>
      <ul className="ml-auto flex flex-wrap items-center gap-1.5 text-[11px]" aria-label="Nodes by change">
        {COUNTED.filter((tone) => model.toneCounts[tone] > 0).map((tone) => (
          <li key={tone} className={`rounded px-1.5 py-0.5 font-medium ${TONE_STYLES[tone].chip}`}>
            {model.toneCounts[tone]} {TONE_LABELS[tone]}
          </li>
        ))}
      </ul>
    </div>
  );
}
