/** Pretty-printed JSON as text (never markup); long bodies scroll inside. */
export function JsonView({ value, label, maxHeight = "max-h-[60vh]" }: { value: unknown; label: string; maxHeight?: string }) {
  const text = value === null || value === undefined ? "(nothing logged)" : typeof value === "string" ? value : JSON.stringify(value, null, 2);
  return (
    <pre aria-label={label} className={`${maxHeight} overflow-auto rounded-md border border-slate-200 bg-slate-950 p-3 font-mono text-[11px] leading-relaxed break-words whitespace-pre-wrap text-slate-100`}>
      {text}
    </pre>
  );
}
