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
    <Suspense>
      <TraceView traceId={traceId} />
    </Suspense>
  );
}
