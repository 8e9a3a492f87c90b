"use client";

import { useState } from "react";
import { ShownOnce } from "@/components/settings/shown-once";
import { formatRelative } from "@/components/ui/format";
import { useCreateTraceShare, useRevokeTraceShare, useTraceShares, type CreatedTraceShare } from "@/lib/queries/shares";
import { useSharedTrace } from "./shared-trace-context";

/**
 * "Share" in the trace header: makes a read-only link (with or without prompts and answers), shows
 * it once to copy, and lists the trace's links to revoke. Not shown on a shared page itself.
 */
export function ShareTraceButton({ traceId }: { traceId: string }) {
  const shared = useSharedTrace();
  const [open, setOpen] = useState(false);
  if (shared) return null;
  return (
    <div className="relative">
      <button
        type="button"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        className="inline-flex items-center rounded border border-slate-300 bg-white px-2 py-1 text-slate-700 hover:bg-slate-50"
      >
        Share
      </button>
      {open && <SharePanel traceId={traceId} onClose={() => setOpen(false)} />}
    </div>
  );
}

function SharePanel({ traceId, onClose }: { traceId: string; onClose: () => void }) {
  const shares = useTraceShares(traceId);
  const create = useCreateTraceShare(traceId);
  const revoke = useRevokeTraceShare();
  const [content, setContent] = useState(false);
  const [created, setCreated] = useState<CreatedTraceShare | null>(null);

  return (
    <div
      role="dialog"
      aria-label="Share trace"
      onKeyDown={(e) => {
        if (e.key === "Escape") onClose();
      }}
      className="absolute top-full right-0 z-20 mt-1 w-[30rem] space-y-3 rounded-md border border-slate-200 bg-white p-3 text-xs text-slate-700 shadow-lg"
    >
      <div className="flex items-start">
        <div className="flex-1">
          <h2 className="text-sm font-semibold text-slate-900">Share this trace</h2>
          <p className="text-slate-500">Anyone with the link sees this trace read-only, without signing in, until the link is revoked.</p>
        </div>
        <button type="button" aria-label="Close sharing" onClick={onClose} className="rounded px-2 py-1 text-slate-500 hover:bg-slate-100">
          ✕
        </button>
      </div>
      <fieldset className="space-y-1">
        <legend className="sr-only">What the link shows</legend>
        <label className="flex items-center gap-2">
          <input type="radio" name="share-content" checked={!content} onChange={() => setContent(false)} />
          Structure, timings, cost and status only
        </label>
        <label className="flex items-center gap-2">
          <input type="radio" name="share-content" checked={content} onChange={() => setContent(true)} />
          Include prompts and answers
        </label>
      </fieldset>
      <div className="flex items-center gap-2">
        <button
          type="button"
          disabled={create.isPending}
          onClick={() => create.mutate(content, { onSuccess: setCreated })}
          className="h-7 rounded bg-indigo-600 px-3 font-medium text-white hover:bg-indigo-500 disabled:opacity-50"
        >
          Create link
        </button>
        {create.error && (
          <span role="alert" className="text-red-700">
            {create.error.message}
          </span>
        )}
      </div>
      {created && <ShownOnce title="Link created. Copy it now: it is not shown again." secret={created.url} label="Share link" onDismiss={() => setCreated(null)} />}
      <section aria-label="Links to this trace">
        <h3 className="mb-1 text-[11px] font-semibold text-slate-500 uppercase">Links to this trace</h3>
        {shares.data?.data.length === 0 && <p className="text-slate-400">None yet.</p>}
        <ul className="divide-y divide-slate-100">
          {shares.data?.data.map((share) => (
            <li key={share.id} className="flex items-center gap-2 py-1">
              <span className="font-mono text-[11px]">{share.prefix}…</span>
              <span>{share.content ? "with prompts and answers" : "structure only"}</span>
              <span className="text-slate-400" title={share.createdAt}>
                {formatRelative(share.createdAt)}
                {share.createdBy ? ` by ${share.createdBy}` : ""}
              </span>
              <button
                type="button"
                aria-label={`Revoke link ${share.prefix}`}
                onClick={() => revoke.mutate(share)}
                className="ml-auto rounded border border-red-200 px-2 py-0.5 text-red-700 hover:bg-red-50"
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
