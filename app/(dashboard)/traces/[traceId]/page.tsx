import { notFound } from "next/navigation";
import { Suspense } from "react";
import { TraceView } from "@/components/trace/trace-view";
import { requireUser } from "@/lib/auth/current-user";
import { traceExists } from "@/lib/storage/traces";

export const metadata = { title: "Trace · Tracewell" };

export default async function TracePage({ params }: { params: Promise<{ traceId: string }> }) {
  const { traceId } = await params;
  // A trace of another organization (a copied link) is not found, with a 404, like one that never existed.
  const user = await requireUser();
  if (!(await traceExists(user.organizationId, traceId))) notFound();
  return (
    <>
      {/* The view's data, asked for in the HTML (React hoists this into <head>): the browser fetches
          it while it loads and runs the scripts, and the view's own fetch (same URL, same mode) is
          answered by it. Without it the fetch started only after hydration, ~1 s later on a busy
          2-core machine. ReactDOM.preload() would only reach the browser in the RSC payload, i.e.
          once the scripts run. */}
      <link rel="preload" as="fetch" crossOrigin="anonymous" href={`/api/v1/traces/${encodeURIComponent(traceId)}`} />
      <Suspense>
        <TraceView traceId={traceId} />
      </Suspense>
    </>
  );
}
