import { Suspense } from "react";
import { SessionView } from "@/components/sessions/session-view";

export const metadata = { title: "Session · Tracewell" };

export default async function SessionPage({ params }: { params: Promise<{ sessionId: string }> }) {
  const { sessionId } = await params;
  return (
    <Suspense>
      <SessionView sessionId={sessionId} />
    </Suspense>
  );
}
