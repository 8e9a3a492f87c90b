/**
 * The compare page without two trace ids: a plain form (no script needed) that asks for them.
 * Traces are also picked from the Requests and Sessions pages, or "Compare with…" in a trace.
 */
export function ComparePicker({ a, b }: { a: string; b: string }) {
  const input = "h-8 w-80 rounded border border-slate-300 bg-white px-2 font-mono text-xs focus:border-indigo-500 focus:ring-2 focus:ring-indigo-100 focus:outline-none";
  return (
    <div className="mx-auto max-w-xl space-y-4 p-8 text-sm text-slate-700">
      <h1 className="text-base font-semibold text-slate-900">Compare two traces</h1>
      <p className="text-slate-500">
        Name two traces, for example yesterday&apos;s and today&apos;s run of an agent. Or select two traces on the Requests or Sessions page, or use “Compare
        with…” in a trace.
      </p>
      <form method="get" action="/traces/compare" className="space-y-2" aria-label="Traces to compare">
        <label className="flex items-center gap-2">
          <span className="w-16 text-xs font-medium text-slate-500">Trace A</span>
          <input name="a" defaultValue={a} required className={input} placeholder="trace id" />
        </label>
        <label className="flex items-center gap-2">
          <span className="w-16 text-xs font-medium text-slate-500">Trace B</span>
          <input name="b" defaultValue={b} required className={input} placeholder="trace id" />
        </label>
        <button type="submit" className="ml-18 rounded bg-indigo-600 px-3 py-1.5 text-xs font-medium text-white hover:bg-indigo-500">
          Compare
        </button>
      </form>
    </div>
  );
}
