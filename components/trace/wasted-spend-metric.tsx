"use client";

import { formatDuration, formatUsd } from "@/components/ui/format";
import type { TraceResponse } from "@/lib/queries/traces";

const EXPLAINED =
  "Cost and wall-clock time of requests that failed, that their client cancelled, or that a retry on the same node replaced; time that several of them share counts once";

/** The trace header's "Wasted" figure: what failures, cancellations and retries cost, in money and time. */
export function WastedSpendMetric({ metrics }: { metrics: TraceResponse["metrics"] }) {
  const wasted = metrics.wastedCost > 0 || metrics.wastedDurationMs > 0;
  return (
    <div title={metrics.costComplete ? EXPLAINED : `${EXPLAINED}. Some prices are unknown: the cost is a lower bound`}>
      <dt className="text-[10px] font-medium tracking-wide text-slate-400 uppercase">Wasted</dt>
      <dd className={`text-sm font-semibold tabular-nums ${wasted ? "text-red-700" : "text-slate-900"}`} data-testid="trace-wasted">
        {formatUsd(metrics.wastedCost)} · {formatDuration(metrics.wastedDurationMs)}
      </dd>
    </div>
  );
}
