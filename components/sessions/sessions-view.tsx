"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useCallback } from "react";
import { useSessions } from "@/lib/queries/sessions";
import { formatCount, formatDuration, formatRelative, formatTime, formatUsd } from "@/components/ui/format";
import { SearchInput } from "@/components/ui/search-input";
import { td, th } from "@/components/ui/table";
import { useSearchParamsUpdate } from "@/components/ui/use-search-params-update";

/** Sessions, most recently active first: name, users, requests, traces, errors, cost, duration. */
export function SessionsView() {
  const searchParams = useSearchParams();
  const updateParams = useSearchParamsUpdate();
  const search = searchParams.get("search") ?? "";
  const userId = searchParams.get("userId") ?? "";
  const query = useSessions({ search, userId });
  const rows = query.data?.pages.flatMap((page) => page.data) ?? [];
  const setSearch = useCallback((value: string) => updateParams((params) => (value ? params.set("search", value) : params.delete("search")), { mode: "replace" }), [updateParams]);

  return (
    <div className="flex h-full flex-col">
      <div className="flex items-center gap-3 border-b border-slate-200 bg-white px-4 py-2.5">
        <h1 className="text-sm font-semibold text-slate-900">Sessions</h1>
        <SearchInput label="Search sessions" placeholder="Session name or id…" value={search} onChange={setSearch} />
        {userId && (
          <span className="inline-flex items-center gap-1 rounded-full bg-indigo-50 py-0.5 pr-1 pl-2 text-[11px] text-indigo-800 ring-1 ring-indigo-200">
            user = {userId}
            <button type="button" aria-label="Remove user filter" className="rounded-full px-1 hover:bg-indigo-100" onClick={() => updateParams((params) => params.delete("userId"))}>
              ✕
            </button>
          </span>
        )}
        <span className="text-xs text-slate-400">{query.isPending ? "loading…" : `${rows.length}${query.hasNextPage ? "+" : ""} sessions`}</span>
      </div>
      <div className="min-h-0 flex-1 overflow-auto bg-white">
        {query.error && <p className="p-6 text-sm text-red-700">{query.error.message}</p>}
        <table className="w-full table-fixed border-separate border-spacing-0 text-xs" aria-label="Sessions">
          <colgroup>
            <col />
            <col className="w-[12rem]" />
            <col className="w-[5rem]" />
            <col className="w-[5rem]" />
            <col className="w-[4.5rem]" />
            <col className="w-[6rem]" />
            <col className="w-[6rem]" />
            <col className="w-[9rem]" />
            <col className="w-[7rem]" />
          </colgroup>
          <thead>
            <tr>
              <th className={th}>Session</th>
              <th className={th}>Users</th>
              <th className={`${th} text-right`}>Requests</th>
              <th className={`${th} text-right`}>Traces</th>
              <th className={`${th} text-right`}>Errors</th>
              <th className={`${th} text-right`}>Cost</th>
              <th className={`${th} text-right`}>Duration</th>
              <th className={th}>Started</th>
              <th className={th}>Last activity</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((session) => (
              <tr key={session.sessionId} className="hover:bg-slate-50">
                <td className={`${td} truncate`}>
                  <Link href={`/sessions/${encodeURIComponent(session.sessionId)}`} className="group block truncate">
                    <span className="font-medium text-slate-900 group-hover:text-indigo-700 group-hover:underline">{session.name ?? "(unnamed)"}</span>
                    <span className="ml-2 font-mono text-[11px] text-slate-400">{session.sessionId}</span>
                  </Link>
                </td>
                <td className={`${td} truncate text-slate-600`} title={session.userIds.join(", ")}>
                  {session.userIds.join(", ") || "—"}
                </td>
                <td className={`${td} text-right tabular-nums`}>{formatCount(session.requestCount)}</td>
                <td className={`${td} text-right tabular-nums`}>{formatCount(session.traceCount)}</td>
                <td className={`${td} text-right tabular-nums ${session.errorCount > 0 ? "font-medium text-red-700" : "text-slate-400"}`}>{formatCount(session.errorCount)}</td>
                <td className={`${td} text-right tabular-nums`}>{formatUsd(session.cost, !session.costComplete)}</td>
                <td className={`${td} text-right tabular-nums`}>{formatDuration(session.durationMs)}</td>
                <td className={`${td} font-mono text-[11px] text-slate-600`}>{formatTime(session.startTime)}</td>
                <td className={`${td} text-slate-500`} title={session.endTime}>
                  {formatRelative(session.lastStartTime)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!query.isPending && rows.length === 0 && (
          <p className="p-10 text-center text-sm text-slate-500">No sessions{search ? " match" : " yet: tag requests with Helicone-Session-Id"}.</p>
        )}
        {query.hasNextPage && (
          <div className="flex justify-center p-3">
            <button type="button" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage} className="rounded border border-slate-300 px-3 py-1 text-xs text-slate-600 hover:bg-slate-50">
              {query.isFetchingNextPage ? "Loading…" : "Load more"}
            </button>
          </div>
        )}
      </div>
    </div>
  );
}
