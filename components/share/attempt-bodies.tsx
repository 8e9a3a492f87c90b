"use client";

import { useQuery } from "@tanstack/react-query";
import { BodyTabs, RequestBodies } from "@/components/requests/request-bodies";
import { sharedRequestQueryOptions } from "@/lib/queries/shares";
import { useSharedTrace } from "./shared-trace-context";

/**
 * A trace node's request and response: from the read API in the dashboard; through a share link,
 * from the link's own endpoint (bodies only, no headers), or nothing when it shares no content.
 */
export function AttemptBodies({ requestId }: { requestId: string }) {
  const shared = useSharedTrace();
  if (!shared) return <RequestBodies requestId={requestId} />;
  if (!shared.content) return <p className="text-slate-500">This shared link does not include prompts and answers.</p>;
  return <SharedAttemptBodies token={shared.token} requestId={requestId} />;
}

function SharedAttemptBodies({ token, requestId }: { token: string; requestId: string }) {
  const { data, isPending, error } = useQuery(sharedRequestQueryOptions(token, requestId));
  if (isPending) return <p className="p-3 text-xs text-slate-400">Loading request…</p>;
  if (error) return <p className="p-3 text-xs text-red-600">Could not load the request: {error.message}</p>;
  return <BodyTabs request={data} />;
}
