import { notFound } from "next/navigation";
import { Suspense } from "react";
import { SessionView } from "@/components/sessions/session-view";
import { requireUser } from "@/lib/auth/current-user";
import { sessionExists } from "@/lib/storage/sessions";

export const metadata = { title: "Session · Tracewell" };

export default async function SessionPage({ params }: { params: Promise<{ sessionId: string }> }) {
  const { sessionId } = await params;
  // A session of another organization (a copied link) is not found, with a 404, like one that never existed.
  const user = await requireUser();
  if (!(await sessionExists(user.organizationId, sessionId))) notFound();
  return (
    <Suspense>
      <SessionView sessionId={sessionId} />
    </Suspense>
  );
}
