import Link from "next/link";
import type { ReactNode } from "react";
import type { MetricsSummary } from "@/lib/contracts/metrics";
import type { TimeWindow } from "@/lib/queries/dashboard-filters";
import type { RequestFilters } from "@/lib/queries/request-filters";
import { formatCount, formatDuration, formatPercent, formatUsd } from "@/components/ui/format";
import { requestsHref } from "./requests-links";

interface Props {
  summary: MetricsSummary | undefined;
  filters: RequestFilters;
  timeWindow: TimeWindow;
}

/** The range's totals at a glance; the request and error counts link to those requests. */
export function SummaryTiles({ summary: s, filters, timeWindow }: Props) {
  const errorRate = s && s.requests > 0 ? s.errors / s.requests : null;
  return (
    <dl className="grid grid-cols-2 gap-2 md:grid-cols-4 xl:grid-cols-6" aria-busy={!s}>
      <Tile label="Requests" value={s && formatCount(s.requests)} href={requestsHref(filters, timeWindow)} note={s && `${formatCount(s.users)} users · ${formatCount(s.sessions)} sessions`} />
      <Tile
        label="Errors"
        value={s && formatCount(s.errors)}
        href={requestsHref(filters, timeWindow, { status: "error" })}
        note={errorRate === null ? "no requests" : `${formatPercent(errorRate)} error rate`}
        tone={s && s.errors > 0 ? "bad" : undefined}
      />
      <Tile
        label="Total cost"
        value={s && formatUsd(s.cost, !s.costComplete)}
        note={s && (s.costComplete ? "USD" : <span className="text-amber-700">incomplete: some prices unknown</span>)}
        title={s && !s.costComplete ? "Some requests have no known price; this is the sum of the known ones." : undefined}
      />
      <Tile
        label="Wasted spend"
        value={s && formatUsd(s.wastedCost)}
        note={s && (s.cost > 0 ? `${formatPercent(s.wastedCost / s.cost)} of cost` : "failed, cancelled, retried")}
        title="The cost of requests that failed or were cancelled, and of attempts a retry replaced"
        tone={s && s.wastedCost > 0 ? "warn" : undefined}
      />
      <Tile label="Tokens in" value={s && formatCount(s.promptTokens)} note="prompt" />
      <Tile label="Tokens out" value={s && formatCount(s.completionTokens)} note="completion" />
      <Tile label="Latency p50" value={s && formatDuration(s.latencyMs.p50)} note={s && `p99 ${formatDuration(s.latencyMs.p99)}`} />
      <Tile label="Latency p95" value={s && formatDuration(s.latencyMs.p95)} note="failed requests included" />
      <Tile label="Time to first token" value={s && formatDuration(s.timeToFirstTokenMs.p50)} note={s && `p50 · p95 ${formatDuration(s.timeToFirstTokenMs.p95)}`} />
      <Tile label="Traces" value={s && formatCount(s.traces)} note="distinct trace ids" />
      <Tile label="Cost per trace" value={s && formatUsd(s.costPerTrace.p50)} note="median" />
      <Tile label="Cost per trace p95" value={s && formatUsd(s.costPerTrace.p95)} note="95% of traces cost less" />
    </dl>
  );
}

interface TileProps {
  label: string;
  /** undefined while loading */
  value: string | undefined;
  note?: ReactNode;
  href?: string;
  title?: string;
  tone?: "bad" | "warn";
}

function Tile({ label, value, note, href, title, tone }: TileProps) {
  const valueColor = tone === "bad" ? "text-red-700" : tone === "warn" ? "text-amber-700" : "text-slate-900";
  const shown = value === undefined ? <span className="inline-block h-5 w-16 animate-pulse rounded bg-slate-100" /> : value;
  return (
    <div className="min-w-0 rounded-lg border border-slate-200 bg-white px-2.5 py-1.5 shadow-xs sm:px-3 sm:py-2" title={title} data-tile={label}>
      <dt className="truncate text-[11px] font-medium tracking-wide text-slate-500 uppercase">{label}</dt>
      <dd className={`mt-0.5 truncate text-base font-semibold tabular-nums sm:text-lg ${valueColor}`} data-value>
        {href && value !== undefined ? (
          <Link href={href} prefetch={false} className="hover:text-indigo-700 hover:underline" title={`Open these requests`}>
            {shown}
          </Link>
        ) : (
          shown
        )}
      </dd>
      {note !== undefined && <dd className="truncate text-[11px] text-slate-500">{note}</dd>}
    </div>
  );
}
