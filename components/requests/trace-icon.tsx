/** The trace glyph: a root with two children. */
export function TraceIcon({ className = "h-3.5 w-3.5" }: { className?: string }) {
  return (
    <svg viewBox="0 0 16 16" className={className} fill="none" stroke="currentColor" strokeWidth="1.6" aria-hidden>
      <rect x="5.5" y="1.5" width="5" height="3.5" rx="1" />
      <rect x="1" y="11" width="5" height="3.5" rx="1" />
      <rect x="10" y="11" width="5" height="3.5" rx="1" />
      <path d="M8 5v3M3.5 11V8h9v3" />
    </svg>
  );
}
