"use client";

import { Suspense } from "react";
import { Providers } from "@/components/providers";
import { TraceView } from "@/components/trace/trace-view";
import { SharedTraceContext } from "./shared-trace-context";

/** The trace view as a share link shows it: read-only, no navigation, a banner saying what it is. */
export function SharedTraceView({ token, traceId, content }: { token: string; traceId: string; content: boolean }) {
  return (
    <Providers>
      <SharedTraceContext.Provider value={{ token, content }}>
        <div className="flex h-screen flex-col">
          <p role="note" className="border-b border-indigo-200 bg-indigo-50 px-4 py-1.5 text-xs text-indigo-900">
            <span className="font-semibold">Shared trace</span> · read-only
            {content ? " · prompts and answers included" : " · structure, timings, cost and status only (no prompts or answers)"}
          </p>
          <main className="min-h-0 flex-1">
            <Suspense>
              <TraceView traceId={traceId} />
            </Suspense>
          </main>
        </div>
      </SharedTraceContext.Provider>
    </Providers>
  );
}
