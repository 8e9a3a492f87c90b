import { Suspense } from "react";
import { DashboardView } from "@/components/dashboard/dashboard-view";
import { dashboardFromSearchParams, metricsQuery, resolveWindow } from "@/lib/queries/dashboard-filters";
import { dashboardFirstPaths } from "@/lib/queries/dashboard-first-view";

export const metadata = { title: "Dashboard · Tracewell" };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function DashboardPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  // The moment a relative range ends, taken once here so that the server's render and the
  // browser's first render show the same window (a clock read in the client component would
  // differ between the two). A server component renders once per request: no re-render can see
  // another value, which is what the purity rule guards against.
  // eslint-disable-next-line react-hooks/purity
  const nowMs = Date.now();
  const view = dashboardFromSearchParams(toSearchParams(await searchParams));
  const query = metricsQuery(view.filters, resolveWindow(view.filters, nowMs));
  return (
    <>
      {/* The first view's data, asked for in the HTML (React hoists these into <head>), as the
          trace view does: the browser reads it while it loads and runs the scripts, and the
          components' own fetches (same URLs, same mode) are answered from it. Without them the
          nine reads started only after hydration. */}
      {dashboardFirstPaths(query, view.rank, view.topProperty).map((path) => (
        <link key={path} rel="preload" as="fetch" crossOrigin="anonymous" href={path} />
      ))}
      <Suspense>
        <DashboardView initialNowMs={nowMs} />
      </Suspense>
    </>
  );
}

function toSearchParams(params: SearchParams): URLSearchParams {
  const result = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) for (const one of [value ?? []].flat()) result.append(name, one);
  return result;
}
