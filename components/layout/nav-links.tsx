"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const SECTIONS = [
  { href: "/dashboard", label: "Dashboard", match: ["/dashboard"] },
  { href: "/requests", label: "Requests", match: ["/requests", "/traces"] },
  { href: "/sessions", label: "Sessions", match: ["/sessions"] },
  { href: "/users", label: "Users", match: ["/users"] },
  { href: "/settings", label: "Settings", match: ["/settings"] },
];

export function NavLinks() {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="flex min-w-0 items-center gap-1 overflow-x-auto">
      {SECTIONS.map((section) => {
        const active = section.match.some((prefix) => pathname.startsWith(prefix));
        return (
          <Link
            key={section.href}
            href={section.href}
            // Prefetching all the sections on every page view cost eight server renders competing
            // with the page's own data request; a click still navigates client-side.
            prefetch={false}
            aria-current={active ? "page" : undefined}
            className={`shrink-0 rounded px-2 py-1 text-[13px] sm:px-2.5 ${active ? "bg-slate-800 text-white" : "hover:bg-slate-800/60 hover:text-white"}`}
          >
            {section.label}
          </Link>
        );
      })}
    </nav>
  );
}
