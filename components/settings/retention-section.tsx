"use client";

import { useState, type FormEvent } from "react";
import { useRetentionSetting, useSetRetention, type RetentionSetting } from "@/lib/queries/settings";

/** How long the organization keeps its requests; admins set its own window or let it follow the server's RETENTION_DAYS. */
export function RetentionSection({ isAdmin }: { isAdmin: boolean }) {
  const setting = useRetentionSetting();
  const save = useSetRetention();
  // What the admin is typing; null until they type, so the field shows the saved value.
  const [draft, setDraft] = useState<string | null>(null);
  const saved = setting.data;
  const shown = draft ?? (saved?.days === null || saved === undefined ? "" : String(saved.days));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    // Sent as typed (a number when it reads as one): the API says what a valid window is.
    const typed = shown.trim();
    save.mutate(typed === "" ? null : Number.isFinite(Number(typed)) ? Number(typed) : typed, { onSuccess: () => setDraft(null) });
  };

  return (
    <section aria-labelledby="retention-title" className="space-y-3">
      <div>
        <h2 id="retention-title" className="text-sm font-semibold text-slate-900">
          Retention
        </h2>
        <p className="text-xs text-slate-500">
          Requests older than this are deleted, with their bodies and properties, and leave the Dashboard&apos;s figures, within 10 minutes of a change.
        </p>
      </div>
      <p className="text-xs">
        Requests are kept <strong data-testid="retention-effective">{saved ? describeKept(saved) : "…"}</strong>
        {!isAdmin && " (an admin can change this)"}
      </p>
      {isAdmin && saved && (
        <form onSubmit={submit} className="flex items-center gap-2 text-xs">
          <label htmlFor="retention-days">Days to keep</label>
          <input
            id="retention-days"
            inputMode="numeric"
            placeholder={saved.defaultDays === null ? "forever" : `${saved.defaultDays} (server)`}
            value={shown}
            onChange={(e) => setDraft(e.target.value)}
            className="h-8 w-32 rounded border border-slate-300 px-2 focus:border-indigo-500 focus:ring-2 focus:ring-indigo-100 focus:outline-none"
          />
          <button type="submit" disabled={save.isPending} className="h-8 rounded bg-indigo-600 px-3 font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
            Save
          </button>
          {saved.days !== null && (
            <button
              type="button"
              disabled={save.isPending}
              onClick={() => save.mutate(null, { onSuccess: () => setDraft(null) })}
              className="h-8 rounded border border-slate-300 px-3 text-slate-700 hover:bg-slate-50 disabled:opacity-50"
            >
              Follow the server&apos;s setting
            </button>
          )}
          {save.error && (
            <span role="alert" className="text-red-700">
              {save.error.message}
            </span>
          )}
        </form>
      )}
    </section>
  );
}

function describeKept({ days, defaultDays, effectiveDays }: RetentionSetting): string {
  if (effectiveDays === null) return "forever (no RETENTION_DAYS on the server, no window of this organization's own)";
  const span = effectiveDays === 1 ? "1 day" : `${effectiveDays.toLocaleString("en-US")} days`;
  if (days !== null) return `${span} (this organization's setting${defaultDays === null ? "" : `; the server's is ${defaultDays}`})`;
  return `${span} (the server's RETENTION_DAYS)`;
}
