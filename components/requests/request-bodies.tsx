"use client";

import { useMemo, useState } from "react";
import { useRequest, type RequestDetail } from "@/lib/queries/requests";
import { JsonView } from "@/components/ui/json-view";
import { Tabs } from "@/components/ui/tabs";
import { Conversation } from "./conversation";
import { toConversation } from "@/lib/domain/conversation";

type BodyTab = "conversation" | "request" | "response" | "headers";

/** A logged request's conversation, raw bodies and (redacted) headers, fetched on demand. */
export function RequestBodies({ requestId }: { requestId: string }) {
  const { data, isPending, error } = useRequest(requestId);
  if (isPending) return <p className="p-3 text-xs text-slate-400">Loading request…</p>;
  if (error) return <p className="p-3 text-xs text-red-600">Could not load the request: {error.message}</p>;
  return <LoadedBodies request={data} />;
}

function LoadedBodies({ request }: { request: RequestDetail }) {
  const conversation = useMemo(() => toConversation(request.requestBody, request.responseBody), [request]);
  const [tab, setTab] = useState<BodyTab>(conversation ? "conversation" : "request");
  return (
    <div>
      <Tabs<BodyTab>
        label="Request body views"
        active={tab}
        onChange={setTab}
        tabs={[
          ...(conversation ? [{ id: "conversation" as const, label: "Conversation" }] : []),
          { id: "request", label: "Request JSON" },
          { id: "response", label: "Response JSON" },
          { id: "headers", label: "Headers" },
        ]}
      />
      <div className="pt-2">
        {tab === "conversation" && conversation && <Conversation messages={conversation} />}
        {tab === "request" && <JsonView label="Request body" value={request.requestBody} />}
        {tab === "response" && <JsonView label="Response body" value={request.responseBody} />}
        {tab === "headers" && (
          <div className="space-y-3">
            <HeaderTable title="Request headers" headers={request.requestHeaders} />
            <HeaderTable title="Response headers" headers={request.responseHeaders} />
            <p className="text-[11px] text-slate-400">Credentials (Authorization, API keys, cookies) are redacted before they are stored.</p>
          </div>
        )}
      </div>
    </div>
  );
}

function HeaderTable({ title, headers }: { title: string; headers: Record<string, string> }) {
  const entries = Object.entries(headers).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section>
      <h4 className="mb-1 text-[11px] font-semibold text-slate-500 uppercase">{title}</h4>
      {entries.length === 0 ? (
        <p className="text-xs text-slate-400">none logged</p>
      ) : (
        <dl className="grid grid-cols-[minmax(8rem,max-content)_1fr] gap-x-3 gap-y-0.5 font-mono text-[11px]">
          {entries.map(([name, value]) => (
            <div key={name} className="contents">
              <dt className="text-slate-500">{name}</dt>
              <dd className="break-all text-slate-800">{value}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
