"use client";

import { useRouter } from "next/navigation";
import { memo } from "react";
import type { RequestListItem } from "@/lib/queries/requests";
import { formatCount, formatDuration, formatTime, formatUsd, shortId } from "@/components/ui/format";
import { PropertyChip } from "@/components/ui/property-chip";
import { StatusBadge } from "@/components/ui/status-badge";
import { CompareCheckbox } from "@/components/trace-compare/compare-selection";
import { TraceIcon } from "./trace-icon";

interface Props {
  rows: RequestListItem[];
  selectedId: string | null;
  nowMs: number;
  onSelect: (id: string) => void;
  onFilter: (patch: { property?: [string, string]; userId?: string; sessionId?: string; model?: string }) => void;
}

const th = "sticky top-0 z-10 border-b border-slate-200 bg-slate-50 px-2 py-1.5 text-left text-[11px] font-medium tracking-wide text-slate-500 uppercase";

/** Logged requests, newest first; a row opens the request, the trace button opens its trace. */
export function RequestsTable({ rows, selectedId, nowMs, onSelect, onFilter }: Props) {
  return (
    <table className="w-full table-fixed border-separate border-spacing-0 text-xs" aria-label="Requests">
      <colgroup>
        <col className="w-[8.5rem]" />
        <col className="w-[5.5rem]" />
        <col className="w-[5rem]" />
        <col className="w-[10rem]" />
        <col className="w-[5rem]" />
        <col className="w-[4.5rem]" />
        <col className="w-[6.5rem]" />
        <col className="w-[5.5rem]" />
        <col className="w-[7rem]" />
        <col className="w-[7rem]" />
        <col />
        <col className="w-[3.75rem]" />
      </colgroup>
      <thead>
        <tr>
          <th className={th}>Time</th>
          <th className={th}>Status</th>
          <th className={th}>Provider</th>
          <th className={th}>Model</th>
          <th className={`${th} text-right`}>Latency</th>
          <th className={`${th} text-right`} title="Time to first token">TTFT</th>
          <th className={`${th} text-right`}>Tokens</th>
          <th className={`${th} text-right`}>Cost</th>
          <th className={th}>User</th>
          <th className={th}>Session</th>
          <th className={th}>Properties</th>
          <th className={th}>
            <span className="sr-only">Trace</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <RequestRow key={row.id} row={row} selected={row.id === selectedId} nowMs={nowMs} onSelect={onSelect} onFilter={onFilter} />
        ))}
      </tbody>
    </table>
  );
}

const td = "border-b border-slate-100 px-2 py-1.5 align-middle";

const RequestRow = memo(function RequestRow({
  row,
  selected,
  nowMs,
  onSelect,
  onFilter,
}: {
  row: RequestListItem;
  selected: boolean;
  nowMs: number;
  onSelect: (id: string) => void;
  onFilter: Props["onFilter"];
}) {
  const router = useRouter();
  const failed = row.status < 200 || row.status >= 300;
  const properties = Object.entries(row.properties);
  const stop = (fn: () => void) => (e: React.MouseEvent) => {
    e.stopPropagation();
    fn();
  };
  return (
    <tr
      data-request-id={row.id}
      aria-selected={selected}
      tabIndex={0}
      onClick={() => onSelect(row.id)}
      onKeyDown={(e) => {
        if (e.key === "Enter" && e.target === e.currentTarget) onSelect(row.id);
      }}
      className={`cursor-pointer outline-none focus-visible:bg-indigo-50 ${selected ? "bg-indigo-50" : failed ? "bg-red-50/40 hover:bg-red-50" : "hover:bg-slate-50"}`}
    >
      <td className={`${td} font-mono text-[11px] text-slate-600 tabular-nums`} title={row.startTime}>
        {formatTime(row.startTime, nowMs)}
      </td>
      <td className={td} title={row.errorReason ?? undefined}>
        <StatusBadge status={row.status} cancelled={row.cancelled} />
      </td>
      <td className={`${td} truncate text-slate-600`}>{row.provider}</td>
      <td className={`${td} truncate font-medium text-slate-800`} title={row.model ?? row.path}>
        {row.model ? (
          <button type="button" className="truncate hover:text-indigo-700 hover:underline" title={`Filter by model ${row.model}`} onClick={stop(() => onFilter({ model: row.model! }))}>
            {row.model}
          </button>
        ) : (
          <span className="font-mono text-slate-500">{row.path}</span>
        )}
      </td>
      <td className={`${td} text-right tabular-nums`}>{formatDuration(row.latencyMs)}</td>
      <td className={`${td} text-right text-slate-500 tabular-nums`}>{formatDuration(row.timeToFirstTokenMs)}</td>
      <td className={`${td} text-right text-slate-600 tabular-nums`} title={`${formatCount(row.promptTokens)} prompt + ${formatCount(row.completionTokens)} completion${row.tokensEstimated ? " (estimated)" : ""}`}>
        {row.promptTokens === null && row.completionTokens === null ? "—" : `${formatCount(row.promptTokens ?? 0)} → ${formatCount(row.completionTokens ?? 0)}`}
        {row.tokensEstimated && <span className="text-slate-400">*</span>}
      </td>
      {row.usageRollup ? (
        <td className={`${td} text-right text-slate-500`} title="Roll-up: its tokens repeat the LLM calls below it in its trace, whose cost is counted there">
          roll-up
        </td>
      ) : (
        <td className={`${td} text-right tabular-nums`}>{formatUsd(row.cost, row.costUnknown)}</td>
      )}
      <td className={`${td} truncate`}>
        {row.userId && (
          <button type="button" className="max-w-full truncate text-slate-700 hover:text-indigo-700 hover:underline" title={`Filter by user ${row.userId}`} onClick={stop(() => onFilter({ userId: row.userId! }))}>
            {row.userId}
          </button>
        )}
      </td>
      <td className={`${td} truncate`}>
        {row.sessionId && (
          <button
            type="button"
            className="max-w-full truncate font-mono text-[11px] text-slate-600 hover:text-indigo-700 hover:underline"
            title={`Filter by session ${row.sessionName ? `${row.sessionName} (${row.sessionId})` : row.sessionId}`}
            onClick={stop(() => onFilter({ sessionId: row.sessionId! }))}
          >
            {row.sessionName ?? shortId(row.sessionId)}
          </button>
        )}
      </td>
      <td className={`${td} overflow-hidden`}>
        <div className="flex gap-1 overflow-hidden">
          {properties.slice(0, 3).map(([key, value]) => (
            <PropertyChip key={key} name={key} value={value} onClick={() => onFilter({ property: [key, value] })} />
          ))}
          {properties.length > 3 && <span className="text-[11px] text-slate-400">+{properties.length - 3}</span>}
        </div>
      </td>
      <td className={`${td} text-center whitespace-nowrap`}>
        {row.traceId && <CompareCheckbox traceId={row.traceId} className="mr-1 align-middle" />}
        {row.traceId && (
          <button
            type="button"
            aria-label="Open trace"
            title={`Open trace ${row.traceId}`}
            className="rounded p-1 text-slate-500 hover:bg-indigo-100 hover:text-indigo-700"
            onClick={stop(() => router.push(`/traces/${encodeURIComponent(row.traceId!)}?node=${encodeURIComponent(row.nodeId ?? "")}`))}
          >
            <TraceIcon />
          </button>
        )}
      </td>
    </tr>
  );
});
