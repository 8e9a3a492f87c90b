"use client";

import { useEffect, useState } from "react";

/** A search box that reports its value once typing pauses (300 ms), not on every keystroke. */
export function SearchInput({ value, onChange, placeholder, label }: { value: string; onChange: (value: string) => void; placeholder: string; label: string }) {
  const [draft, setDraft] = useState(value);
  // A new value from outside (the URL changed) replaces the draft, during render as React
  // advises, not in an effect that would render twice.
  const [shown, setShown] = useState(value);
  if (value !== shown) {
    setShown(value);
    setDraft(value);
  }
  useEffect(() => {
    if (draft === value) return;
    const timer = setTimeout(() => onChange(draft.trim()), 300);
    return () => clearTimeout(timer);
  }, [draft, value, onChange]);
  return (
    <input
      type="search"
      aria-label={label}
      placeholder={placeholder}
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      className="h-7 w-64 rounded border border-slate-300 bg-white px-2 text-xs focus:border-indigo-500 focus:ring-2 focus:ring-indigo-100 focus:outline-none"
    />
  );
}
