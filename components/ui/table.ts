/** Shared classes for the dashboard's dense tables. */
export const th = "sticky top-0 z-10 border-b border-slate-200 bg-slate-50 px-2 py-1.5 text-left text-[11px] font-medium tracking-wide text-slate-500 uppercase";
export const td = "border-b border-slate-100 px-2 py-1.5 align-middle";
