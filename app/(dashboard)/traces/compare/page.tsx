import { notFound } from "next/navigation";
import { Suspense } from "react";
import { ComparePicker } from "@/components/trace-compare/compare-picker";
import { CompareView } from "@/components/trace-compare/compare-view";
import { requireUser } from "@/lib/auth/current-user";
import { traceCompareUrl } from "@/lib/queries/trace-compare";
import { traceExists } from "@/lib/storage/traces";

export const metadata = { title: "Compare traces · Tracewell" };

type Search = Record<string, string | string[] | undefined>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim() ?? "";

// /traces/compare?a={traceId}&b={traceId} – two traces as one merged tree, coloured by what changed
export default async function CompareTracesPage({ searchParams }: { searchParams: Promise<Search> }) {
  const search = await searchParams;
  const [a, b] = [first(search.a), first(search.b)];
  const user = await requireUser();
  if (!a || !b) return <ComparePicker a={a} b={b} />;
  // A trace of another organization (a copied link) is not found, like one that never existed.
  const [hasA, hasB] = await Promise.all([traceExists(user.organizationId, a), traceExists(user.organizationId, b)]);
  if (!hasA || !hasB) notFound();
  return (
    <>
      {/* Fetched while the scripts load, as the trace page does with its trace. */}
      <link rel="preload" as="fetch" crossOrigin="anonymous" href={traceCompareUrl(a, b)} />
      <Suspense>
        <CompareView a={a} b={b} />
      </Suspense>
    </>
  );
}
