import type { MetricsInterval } from "@/lib/contracts/metrics";
import { formatCount, formatDuration, formatUsd } from "@/components/ui/format";

/**
 * Labels for the dashboard's charts. Minute and hour buckets read in local time; day buckets are
 * UTC days (the API aligns them to 00:00 UTC), so they are labelled as UTC dates: local time would
 * put most of them on the evening before.
 */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

/** An axis tick: "14:05", "Nov 24 14:00" when the chart spans days, "Nov 24" for a day. */
export function formatBucketTick(startMs: number, interval: MetricsInterval, spanMs: number): string {
  if (interval === "day") return utcDate(startMs);
  const date = new Date(startMs);
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return spanMs > 86_400_000 ? `${MONTHS[date.getMonth()]} ${date.getDate()} ${time}` : time;
}

/** A bucket in a tooltip or table: "Nov 24 14:00–15:00", "Nov 24 (UTC)". */
export function formatBucketRange(startMs: number, interval: MetricsInterval, intervalMs: number): string {
  if (interval === "day") return `${utcDate(startMs)} (UTC)`;
  const start = new Date(startMs);
  const end = new Date(startMs + intervalMs);
  return `${MONTHS[start.getMonth()]} ${start.getDate()} ${pad(start.getHours())}:${pad(start.getMinutes())}–${pad(end.getHours())}:${pad(end.getMinutes())}`;
}

/** A moment: "Nov 24 14:03", with the year when it is not this one. */
export function formatMoment(ms: number, nowMs: number): string {
  const date = new Date(ms);
  const year = date.getFullYear() === new Date(nowMs).getFullYear() ? "" : ` ${date.getFullYear()}`;
  return `${MONTHS[date.getMonth()]} ${date.getDate()}${year} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Short axis numbers: 950, 1.2k, 3.4M. */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${trim(n / 1e9)}B`;
  if (abs >= 1e6) return `${trim(n / 1e6)}M`;
  if (abs >= 1e3) return `${trim(n / 1e3)}k`;
  return trim(n);
}

/** Short axis dollars: $0, $0.003, $1.50, $1.2k. */
export function formatCompactUsd(cost: number): string {
  if (cost === 0) return "$0";
  if (Math.abs(cost) >= 1000) return `$${formatCompact(cost)}`;
  if (Math.abs(cost) >= 1) return `$${trim(cost)}`;
  return `$${Number(cost.toPrecision(2))}`;
}

/** How one chart's values read in its tooltip and data table. */
export type ValueKind = "count" | "usd" | "ms";

export function formatValue(value: number | null, kind: ValueKind): string {
  if (value === null) return "—";
  if (kind === "usd") return formatUsd(value);
  if (kind === "ms") return formatDuration(value);
  return formatCount(value);
}

export function formatAxisValue(value: number, kind: ValueKind): string {
  if (kind === "usd") return formatCompactUsd(value);
  if (kind === "ms") return value >= 1000 ? `${trim(value / 1000)} s` : `${Math.round(value)} ms`;
  return formatCompact(value);
}

function trim(n: number): string {
  return String(Number(n.toFixed(Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2)));
}

function utcDate(ms: number): string {
  const date = new Date(ms);
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}`;
}
