"use client";

import { useState } from "react";
import { fetchTraceMarkdown, traceExportUrl } from "@/lib/queries/trace-export";

type CopyState = "idle" | "copying" | "copied" | "failed";

/**
 * Take the trace elsewhere: download it as OTLP/JSON (which any Tracewell imports on /v1/traces)
 * or as the trace API's JSON, or copy it as Markdown text to paste into an issue or an LLM.
 */
export function TraceExportMenu({ traceId }: { traceId: string }) {
  const [copy, setCopy] = useState<CopyState>("idle");

  async function copyAsText() {
    setCopy("copying");
    try {
      const text = fetchTraceMarkdown(traceId);
      // Handing the clipboard a promise keeps the click's permission while the text loads (Safari
      // refuses a write that comes after an await); elsewhere, the text is written once loaded.
      if (typeof ClipboardItem !== "undefined" && ClipboardItem.supports?.("text/plain") !== false) {
        await navigator.clipboard.write([new ClipboardItem({ "text/plain": text.then((value) => new Blob([value], { type: "text/plain" })) })]);
      } else {
        await navigator.clipboard.writeText(await text);
      }
      setCopy("copied");
    } catch {
      setCopy("failed");
    }
    setTimeout(() => setCopy("idle"), 2000);
  }

  const link = "inline-flex items-center rounded border border-slate-300 bg-white px-2 py-1 text-slate-700 hover:bg-slate-50";
  return (
    <div className="flex items-center gap-1" role="group" aria-label="Export trace">
      <a href={traceExportUrl(traceId, "otlp")} download className={link} title="OTLP/JSON: import it into any Tracewell with POST /v1/traces">
        Download OTLP
      </a>
      <a href={traceExportUrl(traceId, "json")} download className={link} title="The trace API's document (GET /api/v1/traces/{id})">
        Download JSON
      </a>
      <button type="button" onClick={copyAsText} disabled={copy === "copying"} className={link} title="The trace as Markdown, to paste into an issue or an LLM">
        {copy === "copied" ? "Copied" : copy === "failed" ? "Copy failed" : copy === "copying" ? "Copying…" : "Copy as text"}
      </button>
    </div>
  );
}
