import { Suspense } from "react";
import { UsersView } from "@/components/users/users-view";

export const metadata = { title: "Users · Tracewell" };

export default function UsersPage() {
  return (
    <Suspense>
      <UsersView />
    </Suspense>
  );
}
