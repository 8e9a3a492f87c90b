import { Suspense } from "react";
import { DashboardView } from "@/components/dashboard/dashboard-view";

export const metadata = { title: "Dashboard · Tracewell" };

export default async function DashboardPage() {
  // The moment a relative range ends, taken once here so that the server's render and the
  // browser's first render show the same window (a clock read in the client component would
  // differ between the two). A server component renders once per request: no re-render can see
  // another value, which is what the purity rule guards against.
  // eslint-disable-next-line react-hooks/purity
  const nowMs = Date.now();
  return (
    <Suspense>
      <DashboardView initialNowMs={nowMs} />
    </Suspense>
  );
}
