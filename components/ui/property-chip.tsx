/** A custom property as `key = value`. Values are logged input: rendered as text, never markup. */
export function PropertyChip({ name, value, onClick, title }: { name: string; value: string; onClick?: () => void; title?: string }) {
  const content = (
    <>
      <span className="text-slate-500">{name}</span>
      <span className="text-slate-400">=</span>
      <span className="max-w-[14rem] truncate text-slate-800">{value}</span>
    </>
  );
  const className = "inline-flex max-w-full items-center gap-0.5 rounded border border-slate-200 bg-white px-1.5 py-px font-mono text-[11px] leading-4";
  if (!onClick) return <span className={className} title={`${name} = ${value}`}>{content}</span>;
  return (
    <button type="button" className={`${className} hover:border-indigo-300 hover:bg-indigo-50`} title={title ?? `Filter by ${name} = ${value}`}
      onClick={(e) => {
        e.stopPropagation();
        onClick();
      }}
    >
      {content}
    </button>
  );
}
