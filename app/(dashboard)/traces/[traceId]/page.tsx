import { Suspense } from "react";
import { TraceView } from "@/components/trace/trace-view";

export const metadata = { title: "Trace · Tracewell" };

export default async function TracePage({ params }: { params: Promise<{ traceId: string }> }) {
  const { traceId } = await params;
  return (
    <Suspense>
      <TraceView traceId={traceId} />
    </Suspense>
  );
}
