import { isSuccessStatus } from "@/lib/domain/request-status";

/** HTTP status of a logged request: green 2xx, amber 4xx, red 5xx and 0 (no response at all). */
export function StatusBadge({ status, cancelled = false }: { status: number; cancelled?: boolean }) {
  const tone = isSuccessStatus(status)
    ? "bg-emerald-50 text-emerald-700 ring-emerald-600/20"
    : status >= 400 && status < 500
      ? "bg-amber-50 text-amber-800 ring-amber-600/30"
      : "bg-red-50 text-red-700 ring-red-600/30";
  const label = cancelled ? "cancelled" : status === 0 ? "no response" : String(status);
  return <span className={`inline-flex items-center rounded px-1.5 py-px font-mono text-[11px] font-medium ring-1 ring-inset ${tone}`}>{label}</span>;
}
