/** Display formatting for the dashboard: dense, unambiguous, the same everywhere. */

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms === 0) return "0 ms";
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m ${String(Math.floor((ms % 60_000) / 1000)).padStart(2, "0")}s`;
  return `${Math.floor(ms / 3_600_000)}h ${String(Math.floor((ms % 3_600_000) / 60_000)).padStart(2, "0")}m`;
}

/** USD with enough digits to tell cheap calls apart: $12.30, $0.0312, $0.000042. */
export function formatUsd(cost: number | null | undefined, unknown = false): string {
  if (cost === null || cost === undefined || !Number.isFinite(cost)) return unknown ? "unknown" : "—";
  const suffix = unknown ? "+" : "";
  if (cost === 0) return `$0${suffix}`;
  if (cost >= 1) return `$${cost.toFixed(2)}${suffix}`;
  if (cost >= 0.01) return `$${cost.toFixed(4)}${suffix}`;
  return `$${Number(cost.toPrecision(2)).toFixed(Math.min(10, Math.max(4, -Math.floor(Math.log10(cost)) + 1)))}${suffix}`;
}

/**
 * 1,234,567. Whole numbers are grouped by hand: a page's first Intl number format loads ICU's
 * locale data, 40–250 ms on this project's 2-core machines, which the trace view paid before its
 * first cards (and again on the first node-details panel).
 */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  if (!Number.isSafeInteger(n)) return n.toLocaleString("en-US");
  const digits = String(Math.abs(n));
  let grouped = digits.slice(0, digits.length % 3 || 3);
  for (let i = grouped.length; i < digits.length; i += 3) grouped += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${grouped}` : grouped;
}

export function formatPercent(share: number): string {
  return `${Number((share * 100).toFixed(1))}%`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Local time; the date only when it is not today: "14:03:22" or "Nov 24 14:03:22". */
export function formatTime(iso: string, nowMs: number = Date.now(), { millis = false } = {}): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  const now = new Date(nowMs);
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${millis ? `.${pad(date.getMilliseconds(), 3)}` : ""}`;
  const sameDay = date.getFullYear() === now.getFullYear() && date.getMonth() === now.getMonth() && date.getDate() === now.getDate();
  if (sameDay) return time;
  const year = date.getFullYear() === now.getFullYear() ? "" : ` ${date.getFullYear()}`;
  return `${MONTHS[date.getMonth()]} ${date.getDate()}${year} ${time}`;
}

export function formatRelative(iso: string, nowMs: number = Date.now()): string {
  const seconds = Math.round((nowMs - new Date(iso).getTime()) / 1000);
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** Short form of a long id for tight cells; the full id goes in a title attribute. */
export function shortId(id: string, keep = 8): string {
  return id.length <= keep + 1 ? id : `${id.slice(0, keep)}…`;
}
