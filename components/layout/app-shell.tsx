import type { ReactNode } from "react";
import { logOut } from "@/lib/auth/actions";
import { NavLinks } from "./nav-links";

/** Top bar (product, sections, who is signed in) above a full-height work area. */
export function AppShell({ email, children }: { email: string; children: ReactNode }) {
  return (
    <div className="flex h-screen flex-col">
      <header className="flex h-11 shrink-0 items-center gap-3 border-b border-slate-800 bg-slate-900 px-3 text-sm text-slate-300 sm:gap-6 sm:px-4">
        <a href="/dashboard" className="flex shrink-0 items-center gap-2 font-semibold text-white" aria-label="Tracewell">
          <svg viewBox="0 0 20 20" className="h-4 w-4 text-indigo-400" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden>
            <circle cx="10" cy="4" r="2" />
            <circle cx="4" cy="16" r="2" />
            <circle cx="16" cy="16" r="2" />
            <path d="M10 6v4M10 10l-5 4M10 10l5 4" />
          </svg>
          <span className="hidden sm:inline">Tracewell</span>
        </a>
        <NavLinks />
        <div className="ml-auto flex shrink-0 items-center gap-3">
          <span className="hidden text-xs text-slate-400 md:inline" data-testid="signed-in-as">
            {email}
          </span>
          <form action={logOut}>
            <button type="submit" title={`Signed in as ${email}`} className="rounded px-2 py-1 text-xs text-slate-300 hover:bg-slate-800 hover:text-white">
              Sign out
            </button>
          </form>
        </div>
      </header>
      <div className="min-h-0 flex-1">{children}</div>
    </div>
  );
}
