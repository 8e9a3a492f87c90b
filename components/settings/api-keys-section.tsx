"use client";

import { useState, type FormEvent } from "react";
import { useApiKeys, useCreateApiKey, useRevokeApiKey } from "@/lib/queries/settings";
import { formatRelative, formatTime } from "@/components/ui/format";
import { td, th } from "@/components/ui/table";
import { ShownOnce } from "./shown-once";

/** Create (the key is shown once), list and revoke the organization's API keys. */
export function ApiKeysSection() {
  const keys = useApiKeys();
  const create = useCreateApiKey();
  const revoke = useRevokeApiKey();
  const [name, setName] = useState("");
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    create.mutate(name.trim(), {
      onSuccess: ({ key, apiKey }) => {
        setCreated({ name: apiKey.name, key });
        setName("");
      },
    });
  };

  return (
    <section aria-labelledby="api-keys-title" className="space-y-3">
      <div>
        <h2 id="api-keys-title" className="text-sm font-semibold text-slate-900">
          API keys
        </h2>
        <p className="text-xs text-slate-500">
          For <code>Helicone-Auth: Bearer …</code> on the proxy and custom log, and <code>Authorization: Bearer …</code> on the read API. Revoking works at once.
        </p>
      </div>
      <form onSubmit={submit} className="flex items-center gap-2">
        <input
          aria-label="Key name"
          placeholder="Name, e.g. production backend"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={100}
          className="h-8 w-72 rounded border border-slate-300 px-2 text-xs focus:border-indigo-500 focus:ring-2 focus:ring-indigo-100 focus:outline-none"
        />
        <button type="submit" disabled={create.isPending || !name.trim()} className="h-8 rounded bg-indigo-600 px-3 text-xs font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
          Create key
        </button>
        {create.error && <span className="text-xs text-red-700">{create.error.message}</span>}
      </form>
      {created && <ShownOnce title={`Key “${created.name}” created. Copy it now: it is not shown again.`} secret={created.key} onDismiss={() => setCreated(null)} label="New API key" />}
      <table className="w-full max-w-4xl table-fixed border-separate border-spacing-0 rounded border border-slate-200 text-xs" aria-label="API keys">
        <thead>
          <tr>
            <th className={th}>Name</th>
            <th className={`${th} w-36`}>Key</th>
            <th className={`${th} w-40`}>Created</th>
            <th className={`${th} w-32`}>Last used</th>
            <th className={`${th} w-28`}>Status</th>
          </tr>
        </thead>
        <tbody>
          {keys.data?.data.map((key) => (
            <tr key={key.id} className={key.revokedAt ? "text-slate-400" : ""}>
              <td className={`${td} truncate font-medium`}>{key.name}</td>
              <td className={`${td} font-mono text-[11px]`}>{key.prefix}…</td>
              <td className={`${td} font-mono text-[11px]`}>{formatTime(key.createdAt)}</td>
              <td className={td}>{key.lastUsedAt ? formatRelative(key.lastUsedAt) : "—"}</td>
              <td className={td}>
                {key.revokedAt ? (
                  <span title={key.revokedAt}>revoked</span>
                ) : (
                  <button
                    type="button"
                    aria-label={`Revoke ${key.name}`}
                    className="rounded border border-red-200 px-2 py-0.5 text-red-700 hover:bg-red-50"
                    onClick={() => {
                      if (window.confirm(`Revoke “${key.name}”? Programs using it stop working at once.`)) revoke.mutate(key.id);
                    }}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
