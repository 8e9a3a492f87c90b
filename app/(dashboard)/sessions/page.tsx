import { Suspense } from "react";
import { SessionsView } from "@/components/sessions/sessions-view";

export const metadata = { title: "Sessions · Tracewell" };

export default function SessionsPage() {
  return (
    <Suspense>
      <SessionsView />
    </Suspense>
  );
}
