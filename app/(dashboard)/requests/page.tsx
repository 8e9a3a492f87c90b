import { Suspense } from "react";
import { RequestsView } from "@/components/requests/requests-view";

export const metadata = { title: "Requests · Tracewell" };

export default function RequestsPage() {
  return (
    <Suspense>
      <RequestsView />
    </Suspense>
  );
}
