"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useState } from "react";
import { useSearchParamsUpdate } from "@/components/ui/use-search-params-update";
import { traceComparePagePath } from "@/lib/queries/trace-compare";

/**
 * Picking two traces to compare on a list (Requests, a session's traces): a checkbox per trace and
 * a bar with the Compare button. The picks live in the URL (`?compare=<a>&compare=<b>`, in the
 * order picked), so the lists need no state of their own and a reload keeps them. A third pick
 * drops the oldest: two traces are compared.
 */
const PARAM = "compare";

function useCompareSelection() {
  const searchParams = useSearchParams();
  const updateParams = useSearchParamsUpdate();
  // Each change starts from the URL as it is now, not as last rendered: two quick picks both count.
  const update = (change: (current: string[]) => string[]) =>
    updateParams(
      (params) => {
        const next = change(params.getAll(PARAM));
        params.delete(PARAM);
        for (const traceId of next) params.append(PARAM, traceId);
      },
      { mode: "replace" },
    );
  return {
    selected: searchParams.getAll(PARAM),
    toggle: (traceId: string) => update((current) => (current.includes(traceId) ? current.filter((id) => id !== traceId) : [...current, traceId].slice(-2))),
    clear: () => update(() => []),
  };
}

/** Selects a trace for comparing; several rows of one trace share its box. */
export function CompareCheckbox({ traceId, className = "" }: { traceId: string; className?: string }) {
  const { selected, toggle } = useCompareSelection();
  const inUrl = selected.includes(traceId);
  // The router follows the URL a moment later: the box shows the click at once, until the URL moves.
  const [clicked, setClicked] = useState<{ checked: boolean; whenUrlSaid: boolean } | null>(null);
  if (clicked !== null && clicked.whenUrlSaid !== inUrl) setClicked(null);
  const checked = clicked !== null && clicked.whenUrlSaid === inUrl ? clicked.checked : inUrl;
  return (
    <input
      type="checkbox"
      checked={checked}
      onChange={() => {
        setClicked({ checked: !checked, whenUrlSaid: inUrl });
        toggle(traceId);
      }}
      onClick={(event) => event.stopPropagation()}
      aria-label={`Select trace ${traceId} to compare`}
      title={checked ? "Selected for comparing" : "Select to compare with another trace"}
      className={`h-3.5 w-3.5 cursor-pointer accent-indigo-600 ${className}`}
    />
  );
}

/** How many traces are picked, and Compare once there are two (the first picked is A). */
export function CompareBar() {
  const { selected, clear } = useCompareSelection();
  if (selected.length === 0) return null;
  const [a, b] = selected;
  return (
    <div className="flex items-center gap-2 text-xs" role="group" aria-label="Compare traces">
      <span className="text-slate-500">{selected.length === 1 ? "1 trace selected: pick another" : "2 traces selected"}</span>
      {a && b ? (
        <Link href={traceComparePagePath(a, b)} prefetch={false} className="rounded bg-indigo-600 px-2 py-1 font-medium text-white hover:bg-indigo-500">
          Compare
        </Link>
      ) : (
        <span className="cursor-not-allowed rounded bg-slate-200 px-2 py-1 font-medium text-slate-400" aria-disabled="true">
          Compare
        </span>
      )}
      <button type="button" onClick={clear} className="rounded px-1.5 py-1 text-slate-500 hover:bg-slate-100 hover:text-slate-800">
        Clear
      </button>
    </div>
  );
}
