"use client";

import { useId, type ReactNode } from "react";

export interface TabItem<T extends string> {
  id: T;
  label: ReactNode;
}

/** A row of tabs (ARIA tablist); the caller renders the active panel. */
export function Tabs<T extends string>({ tabs, active, onChange, label, className = "" }: { tabs: TabItem<T>[]; active: T; onChange: (id: T) => void; label: string; className?: string }) {
  const prefix = useId();
  return (
    <div role="tablist" aria-label={label} className={`flex gap-0.5 border-b border-slate-200 ${className}`}>
      {tabs.map((tab) => (
        <button
          key={tab.id}
          id={`${prefix}-${tab.id}`}
          role="tab"
          type="button"
          aria-selected={tab.id === active}
          onClick={() => onChange(tab.id)}
          className={`-mb-px border-b-2 px-2.5 py-1.5 text-xs font-medium ${tab.id === active ? "border-indigo-600 text-indigo-700" : "border-transparent text-slate-500 hover:text-slate-800"}`}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}
