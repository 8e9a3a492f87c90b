"use client";

import Link from "next/link";
import { formatTime } from "@/components/ui/format";
import { td, th } from "@/components/ui/table";
import { useOrganizationShares, useRevokeTraceShare, useSetSharing, useSharingSetting } from "@/lib/queries/shares";

/** Every share link of the organization, to revoke; admins turn sharing off (which revokes them all) and on. */
export function SharesSection({ isAdmin }: { isAdmin: boolean }) {
  const shares = useOrganizationShares();
  const setting = useSharingSetting();
  const setSharing = useSetSharing();
  const revoke = useRevokeTraceShare();
  const enabled = setting.data?.enabled;
  const links = shares.data?.data ?? [];

  const toggle = () => {
    if (enabled === undefined) return;
    const question = enabled
      ? `Turn sharing off? ${links.length === 1 ? "The 1 link" : `All ${links.length} links`} stop working at once, and no one can make new ones until it is on again.`
      : "Turn sharing on? Members can then make read-only links to traces.";
    if (window.confirm(question)) setSharing.mutate(!enabled);
  };

  return (
    <section aria-labelledby="shares-title" className="space-y-3">
      <div>
        <h2 id="shares-title" className="text-sm font-semibold text-slate-900">
          Shared links
        </h2>
        <p className="text-xs text-slate-500">
          Read-only links to single traces (made with Share in a trace&apos;s header) that work without signing in. Revoking works at once.
        </p>
      </div>
      <div className="flex items-center gap-3 text-xs">
        <span>
          Sharing is <strong data-testid="sharing-state">{enabled === undefined ? "…" : enabled ? "on" : "off"}</strong>
          {!isAdmin && " (an admin can change this)"}
        </span>
        {isAdmin && enabled !== undefined && (
          <button
            type="button"
            disabled={setSharing.isPending}
            onClick={toggle}
            className={`h-7 rounded border px-3 disabled:opacity-50 ${enabled ? "border-red-200 text-red-700 hover:bg-red-50" : "border-indigo-300 text-indigo-700 hover:bg-indigo-50"}`}
          >
            {enabled ? "Turn sharing off" : "Turn sharing on"}
          </button>
        )}
        {setSharing.error && <span className="text-red-700">{setSharing.error.message}</span>}
      </div>
      <table className="w-full max-w-4xl table-fixed border-separate border-spacing-0 rounded border border-slate-200 text-xs" aria-label="Shared links">
        <thead>
          <tr>
            <th className={th}>Trace</th>
            <th className={`${th} w-24`}>Link</th>
            <th className={`${th} w-40`}>Shows</th>
            <th className={`${th} w-40`}>Created</th>
            <th className={`${th} w-48`}>By</th>
            <th className={`${th} w-24`} />
          </tr>
        </thead>
        <tbody>
          {links.length === 0 && (
            <tr>
              <td className={`${td} text-slate-400`} colSpan={6}>
                No shared links.
              </td>
            </tr>
          )}
          {links.map((share) => (
            <tr key={share.id}>
              <td className={`${td} truncate font-mono text-[11px]`}>
                <Link prefetch={false} href={`/traces/${encodeURIComponent(share.traceId)}`} className="text-indigo-700 hover:underline">
                  {share.traceId}
                </Link>
              </td>
              <td className={`${td} font-mono text-[11px]`}>{share.prefix}…</td>
              <td className={td}>{share.content ? "prompts and answers" : "structure only"}</td>
              <td className={`${td} font-mono text-[11px]`}>{formatTime(share.createdAt)}</td>
              <td className={`${td} truncate`}>{share.createdBy ?? "—"}</td>
              <td className={td}>
                <button
                  type="button"
                  aria-label={`Revoke link ${share.prefix}`}
                  className="rounded border border-red-200 px-2 py-0.5 text-red-700 hover:bg-red-50"
                  onClick={() => revoke.mutate(share)}
                >
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
