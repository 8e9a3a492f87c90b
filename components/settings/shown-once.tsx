"use client";

import { useState } from "react";

/** A secret shown this one time, with a copy button. */
export function ShownOnce({ title, secret, label, onDismiss }: { title: string; secret: string; label: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="status" className="max-w-4xl rounded-md border border-emerald-300 bg-emerald-50 p-3 text-xs text-emerald-900">
      <p className="font-medium">{title}</p>
      <div className="mt-2 flex items-center gap-2">
        <code aria-label={label} className="flex-1 rounded bg-white px-2 py-1 font-mono text-[12px] break-all text-slate-900 ring-1 ring-emerald-200">
          {secret}
        </code>
        <button
          type="button"
          className="rounded border border-emerald-400 bg-white px-2 py-1 hover:bg-emerald-100"
          onClick={() => void navigator.clipboard?.writeText(secret).then(() => setCopied(true))}
        >
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" className="rounded px-2 py-1 hover:bg-emerald-100" onClick={onDismiss}>
          Done
        </button>
      </div>
    </div>
  );
}
