"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useCallback } from "react";
import { useEndUsers } from "@/lib/queries/end-users";
import { formatCount, formatRelative, formatTime, formatUsd } from "@/components/ui/format";
import { SearchInput } from "@/components/ui/search-input";
import { td, th } from "@/components/ui/table";
import { useSearchParamsUpdate } from "@/components/ui/use-search-params-update";

/** Your application's users (Helicone-User-Id): activity, cost, errors, most recently seen first. */
export function UsersView() {
  const searchParams = useSearchParams();
  const updateParams = useSearchParamsUpdate();
  const search = searchParams.get("search") ?? "";
  const query = useEndUsers(search);
  const rows = query.data?.pages.flatMap((page) => page.data) ?? [];
  const setSearch = useCallback((value: string) => updateParams((params) => (value ? params.set("search", value) : params.delete("search")), { mode: "replace" }), [updateParams]);

  return (
    <div className="flex h-full flex-col">
      <div className="flex items-center gap-3 border-b border-slate-200 bg-white px-4 py-2.5">
        <h1 className="text-sm font-semibold text-slate-900">Users</h1>
        <SearchInput label="Search users" placeholder="User id…" value={search} onChange={setSearch} />
        <span className="text-xs text-slate-400">{query.isPending ? "loading…" : `${rows.length}${query.hasNextPage ? "+" : ""} users · by Helicone-User-Id`}</span>
      </div>
      <div className="min-h-0 flex-1 overflow-auto bg-white">
        {query.error && <p className="p-6 text-sm text-red-700">{query.error.message}</p>}
        <table className="w-full table-fixed border-separate border-spacing-0 text-xs" aria-label="Users">
          <colgroup>
            <col />
            <col className="w-[6rem]" />
            <col className="w-[5rem]" />
            <col className="w-[5rem]" />
            <col className="w-[5rem]" />
            <col className="w-[6.5rem]" />
            <col className="w-[9rem]" />
            <col className="w-[7rem]" />
          </colgroup>
          <thead>
            <tr>
              <th className={th}>User</th>
              <th className={`${th} text-right`}>Requests</th>
              <th className={`${th} text-right`}>Traces</th>
              <th className={`${th} text-right`}>Sessions</th>
              <th className={`${th} text-right`}>Errors</th>
              <th className={`${th} text-right`}>Cost</th>
              <th className={th}>First seen</th>
              <th className={th}>Last seen</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((user) => (
              <tr key={user.userId} className="hover:bg-slate-50">
                <td className={`${td} truncate`}>
                  <Link href={`/requests?userId=${encodeURIComponent(user.userId)}`} className="font-medium text-slate-900 hover:text-indigo-700 hover:underline" title="Requests of this user">
                    {user.userId}
                  </Link>
                </td>
                <td className={`${td} text-right tabular-nums`}>{formatCount(user.requestCount)}</td>
                <td className={`${td} text-right tabular-nums`}>{formatCount(user.traceCount)}</td>
                <td className={`${td} text-right tabular-nums`}>
                  {user.sessionCount > 0 ? (
                    <Link href={`/sessions?userId=${encodeURIComponent(user.userId)}`} className="text-indigo-700 hover:underline">
                      {formatCount(user.sessionCount)}
                    </Link>
                  ) : (
                    <span className="text-slate-400">0</span>
                  )}
                </td>
                <td className={`${td} text-right tabular-nums ${user.errorCount > 0 ? "font-medium text-red-700" : "text-slate-400"}`}>{formatCount(user.errorCount)}</td>
                <td className={`${td} text-right tabular-nums`}>{formatUsd(user.cost, !user.costComplete)}</td>
                <td className={`${td} font-mono text-[11px] text-slate-600`}>{formatTime(user.firstSeen)}</td>
                <td className={`${td} text-slate-500`} title={user.lastSeen}>
                  {formatRelative(user.lastSeen)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!query.isPending && rows.length === 0 && <p className="p-10 text-center text-sm text-slate-500">No users{search ? " match" : " yet: tag requests with Helicone-User-Id"}.</p>}
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
