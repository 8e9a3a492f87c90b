import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { SharedTraceView } from "@/components/share/shared-trace-view";
import { findSharedTrace } from "@/lib/read-api/shared-trace";

// No session here: the token is the credential (a made-up or revoked one is a 404). Not indexed:
// this meta tag, and X-Robots-Tag on /share/* (next.config.mjs).
export const metadata: Metadata = { title: "Shared trace · Tracewell", robots: { index: false, follow: false }, referrer: "no-referrer" };

export default async function SharedTracePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const shared = await findSharedTrace(token);
  if (!shared) notFound();
  return (
    <>
      {/* Fetched while the scripts load, as on the dashboard's trace page. */}
      <link rel="preload" as="fetch" crossOrigin="anonymous" href={`/api/v1/shared/${encodeURIComponent(token)}`} />
      <SharedTraceView token={token} traceId={shared.traceId} content={shared.content} />
    </>
  );
}
