"use client";

import { useMemo, useState } from "react";
import { sideBySide, type DiffCell } from "./side-by-side";

/** Rows shown before "Show all": a long prompt stays readable and cheap to render. */
const FIRST_ROWS = 400;

const CELL_STYLE: Record<DiffCell["kind"], string> = {
  same: "text-slate-700",
  removed: "bg-red-50 text-red-900",
  added: "bg-emerald-50 text-emerald-900",
  empty: "bg-slate-50",
};

/**
 * Two texts side by side, lines aligned and changed words marked (jsdiff). Everything is rendered
 * as text nodes: logged prompts and answers never become markup.
 */
export function TextDiff({ label, before, after }: { label: string; before: string | null; after: string | null }) {
  const rows = useMemo(() => sideBySide(before ?? "", after ?? ""), [before, after]);
  const [showAll, setShowAll] = useState(false);
  const unchanged = before === after;
  return (
    <section aria-label={`${label} diff`} data-changed={!unchanged}>
      <h4 className="mb-1 flex items-center gap-2 text-[11px] font-semibold text-slate-500 uppercase">
        {label}
        <span className={`rounded px-1 text-[10px] font-medium normal-case ${unchanged ? "bg-slate-100 text-slate-500" : "bg-indigo-100 text-indigo-800"}`}>{unchanged ? "unchanged" : "changed"}</span>
      </h4>
      {rows === null ? (
        <div className="grid grid-cols-2 gap-px rounded border border-slate-200 bg-slate-200">
          <p className="col-span-2 bg-amber-50 px-2 py-1 text-[11px] text-amber-900">Too different to align line by line: shown as they are.</p>
          <Plain text={before} />
          <Plain text={after} />
        </div>
      ) : (
        <div className="grid grid-cols-2 gap-px overflow-hidden rounded border border-slate-200 bg-slate-200 font-mono text-[11px] leading-4" role="table" aria-label={`${label}: trace A beside trace B`}>
          <div role="row" className="contents">
            <Heading side="A" missing={before === null} />
            <Heading side="B" missing={after === null} />
          </div>
          {(showAll ? rows : rows.slice(0, FIRST_ROWS)).map((row, i) => (
            <div key={i} role="row" className="contents">
              <Cell cell={row.left} side="A" />
              <Cell cell={row.right} side="B" />
            </div>
          ))}
          {rows.length === 0 && before !== null && after !== null && <p className="col-span-2 bg-white px-2 py-1 text-slate-400">(empty)</p>}
        </div>
      )}
      {rows !== null && rows.length > FIRST_ROWS && !showAll && (
        <button type="button" className="mt-1 rounded border border-slate-300 px-2 py-0.5 text-[11px] text-slate-600 hover:bg-slate-50" onClick={() => setShowAll(true)}>
          Show all {rows.length} lines
        </button>
      )}
    </section>
  );
}

function Cell({ cell, side }: { cell: DiffCell; side: "A" | "B" }) {
  const mark = cell.kind === "removed" ? "bg-red-200" : "bg-emerald-200";
  return (
    <div role="cell" data-side={side} data-kind={cell.kind} className={`min-h-4 px-2 break-words whitespace-pre-wrap ${CELL_STYLE[cell.kind]}`}>
      {cell.segments.map((segment, i) =>
        segment.changed ? (
          <span key={i} className={`rounded-sm ${mark}`}>
            {segment.text}
          </span>
        ) : (
          <span key={i}>{segment.text}</span>
        ),
      )}
    </div>
  );
}

function Heading({ side, missing }: { side: "A" | "B"; missing: boolean }) {
  return (
    <div role="columnheader" className="bg-slate-50 px-2 py-0.5 font-sans text-[10px] font-semibold text-slate-500">
      Trace {side}
      {missing && <span className="ml-1 font-normal text-slate-400 italic">(not in this trace)</span>}
    </div>
  );
}

function Plain({ text }: { text: string | null }) {
  return <pre className="max-h-96 overflow-auto bg-white px-2 py-1 font-mono text-[11px] break-words whitespace-pre-wrap text-slate-700">{text ?? ""}</pre>;
}
