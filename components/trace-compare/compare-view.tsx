"use client";

import { useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";
import { buildTraceModel } from "@/components/trace/trace-model";
import { useSearchParamsUpdate } from "@/components/ui/use-search-params-update";
import { useTrace } from "@/lib/queries/traces";
import { useTraceCompare } from "@/lib/queries/trace-compare";
import { buildCompareModel, flowIdOf } from "./compare-model";
import { CompareCanvas } from "./compare-canvas";
import { CompareHeader } from "./compare-header";
import { CompareNodePanel } from "./compare-node-panel";

/**
 * The comparison of two traces: header metrics side by side, the merged tree coloured by what
 * changed, and for the selected node (`?node=<path>` in the URL) its numbers and text diffs.
 * Names come from both traces' own documents, so cards read as in the trace view.
 */
export function CompareView({ a, b }: { a: string; b: string }) {
  const comparison = useTraceCompare(a, b);
  const traceA = useTrace(a);
  const traceB = useTrace(b);
  const modelA = useMemo(() => (traceA.data ? buildTraceModel(traceA.data) : undefined), [traceA.data]);
  const modelB = useMemo(() => (traceB.data ? buildTraceModel(traceB.data) : undefined), [traceB.data]);
  const model = useMemo(() => (comparison.data ? buildCompareModel(comparison.data, modelA, modelB) : null), [comparison.data, modelA, modelB]);

  if (comparison.isPending || ((traceA.isPending || traceB.isPending) && !comparison.error)) return <p className="p-6 text-sm text-slate-500">Comparing traces…</p>;
  if (comparison.error) return <p className="p-6 text-sm text-red-700">{comparison.error.message}</p>;
  return <LoadedComparison model={model!} />;
}

function LoadedComparison({ model }: { model: NonNullable<ReturnType<typeof buildCompareModel>> }) {
  const searchParams = useSearchParams();
  const updateParams = useSearchParamsUpdate();
  const urlPath = searchParams.get("node");
  const [selectedId, setSelectedId] = useState<string | null>(() => (urlPath !== null && model.byId.has(flowIdOf(urlPath)) ? flowIdOf(urlPath) : null));
  const selected = selectedId ? model.byId.get(selectedId) : undefined;

  useEffect(() => {
    updateParams(
      (params) => {
        if (selected) params.set("node", selected.compared.path);
        else params.delete("node");
      },
      { mode: "replace" },
    );
  }, [selected, updateParams]);

  const select = useCallback((id: string | null) => setSelectedId(id), []);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") setSelectedId(null);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  return (
    <div className="flex h-full flex-col">
      <CompareHeader model={model} />
      <div className="flex min-h-0 flex-1">
        <div className="min-w-0 flex-1">
          <CompareCanvas model={model} selectedId={selectedId} onSelect={select} />
        </div>
        {selected && <CompareNodePanel key={selected.id} response={model.response} node={selected} onClose={() => setSelectedId(null)} />}
      </div>
    </div>
  );
}
