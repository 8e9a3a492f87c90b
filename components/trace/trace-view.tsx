"use client";

import { useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTrace } from "@/lib/queries/traces";
import { useSharedTrace } from "@/components/share/shared-trace-context";
import { formatCount } from "@/components/ui/format";
import { Tabs } from "@/components/ui/tabs";
import { useSearchParamsUpdate } from "@/components/ui/use-search-params-update";
import { CriticalPathSummary } from "./critical-path-summary";
import { NodeDetailsPanel } from "./node-details-panel";
import { toFlowElements } from "./to-flow-elements";
import { TraceCanvas, type FocusRequest } from "./trace-canvas";
import { collapseAll, defaultCollapsed, expandAll, isShown, unfoldPathTo, visibleNodes } from "./trace-collapse";
import { TraceHeader } from "./trace-header";
import { navigate, searchTrace, type NavKey } from "./trace-keyboard";
import { buildTraceModel, type TraceModel } from "./trace-model";
import { TraceTimeline } from "./trace-timeline";
import { createTraceUiStore, TraceUiContext, type ColorMode } from "./trace-ui-store";

/** "Expand all" stops here: past a few thousand cards a tree is no longer something to read. */
const EXPAND_ALL_LIMIT = 3_000;

export function TraceView({ traceId }: { traceId: string }) {
  const { data, error, isPending } = useTrace(traceId, useSharedTrace()?.token);
  const model = useMemo(() => (data ? buildTraceModel(data) : null), [data]);
  if (isPending) return <p className="p-6 text-sm text-slate-500">Loading trace…</p>;
  if (error) return <p className="p-6 text-sm text-red-700">{error.message}</p>;
  return <LoadedTrace model={model!} />;
}

type Tab = "tree" | "timeline";

function LoadedTrace({ model }: { model: TraceModel }) {
  const searchParams = useSearchParams();
  const updateParams = useSearchParamsUpdate();
  const urlNode = searchParams.get("node");
  const initialSelected = urlNode && model.byId.has(urlNode) ? urlNode : null;

  const [selectedId, setSelectedId] = useState<string | null>(initialSelected);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => {
    const folds = defaultCollapsed(model);
    return initialSelected ? unfoldPathTo(model, folds, initialSelected) : folds;
  });
  const [tab, setTab] = useState<Tab>(searchParams.get("view") === "timeline" ? "timeline" : "tree");
  const [colorMode, setColorMode] = useState<ColorMode>(searchParams.get("color") === "cost" ? "cost" : "latency");
  const [query, setQuery] = useState("");
  const [matchIndex, setMatchIndex] = useState(-1);
  const [focus, setFocus] = useState<FocusRequest | null>(null);
  const [fitSeq, setFitSeq] = useState(0);
  const searchBox = useRef<HTMLInputElement>(null);

  const matches = useMemo(() => searchTrace(model, query), [model, query]);
  const matchIds = useMemo(() => new Set(matches), [matches]);
  const currentMatchId = matchIndex >= 0 ? (matches[matchIndex] ?? null) : null;

  const [store] = useState(() => createTraceUiStore({ selectedId, colorMode, matchIds, currentMatchId }));
  useEffect(() => store.set({ selectedId, colorMode, matchIds, currentMatchId }), [store, selectedId, colorMode, matchIds, currentMatchId]);

  // The URL follows the selection, tab and colouring (replace: no history step per click).
  useEffect(() => {
    updateParams(
      (params) => {
        if (selectedId) params.set("node", selectedId);
        else params.delete("node");
        if (tab === "timeline") params.set("view", "timeline");
        else params.delete("view");
        if (colorMode === "cost") params.set("color", "cost");
        else params.delete("color");
      },
      { mode: "replace" },
    );
  }, [selectedId, tab, colorMode, updateParams]);

  /** Selects a node, unfolding its ancestors if needed, and brings it into view. */
  const jumpTo = useCallback(
    (id: string, { unfoldSelf = false }: { unfoldSelf?: boolean } = {}) => {
      setCollapsed((current) => {
        let next: ReadonlySet<string> = isShown(model, current, id) ? current : unfoldPathTo(model, current, id);
        if (unfoldSelf && next.has(id)) {
          const copy = new Set(next);
          copy.delete(id);
          next = copy;
        }
        return next;
      });
      setSelectedId(id);
      setFocus((previous) => ({ id, seq: (previous?.seq ?? 0) + 1 }));
    },
    [model],
  );
  const select = useCallback((id: string | null) => setSelectedId(id), []);
  const unselect = useCallback(() => setSelectedId(null), []);
  const toggleCollapse = useCallback(
    (id: string) =>
      setCollapsed((current) => {
        const next = new Set(current);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );
  const contextValue = useMemo(() => ({ store, model, actions: { select, toggleCollapse } }), [store, model, select, toggleCollapse]);

  // Laid out again only when the folds change: selecting, searching or recolouring never does. The
  // layout is O(n), a few milliseconds for the 3,000 cards "Expand all" shows, so it runs here.
  const layout = useMemo(() => toFlowElements(model, collapsed), [model, collapsed]);
  const rows = useMemo(() => (tab === "timeline" ? visibleNodes(model, collapsed).map((n) => n.id) : []), [tab, model, collapsed]);

  const stepMatch = useCallback(
    (direction: 1 | -1) => {
      if (matches.length === 0) return;
      const next = (matchIndex + direction + matches.length) % matches.length;
      setMatchIndex(next);
      jumpTo(matches[next]!);
    },
    [jumpTo, matchIndex, matches],
  );

  // Keyboard: arrows move the selection, Enter selects the root, Esc closes the panel,
  // C folds/unfolds, F fits, / searches, N / Shift+N step through search matches.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable)) return;
      if (event.metaKey || event.ctrlKey || event.altKey) return;
      const key = event.key;
      if (key === "ArrowUp" || key === "ArrowDown" || key === "ArrowLeft" || key === "ArrowRight" || key === "Home") {
        const move = navigate(model, rows, selectedId, key as NavKey, tab);
        if (move) {
          event.preventDefault();
          const fromId = selectedId;
          jumpTo(move.id);
          if (move.unfold && fromId && collapsed.has(fromId)) toggleCollapse(fromId);
        }
      } else if (key === "Enter" && !selectedId) {
        if (model.rootIds[0]) jumpTo(model.rootIds[0]);
      } else if (key === "Escape") {
        setSelectedId(null);
      } else if ((key === "c" || key === "C" || key === " ") && selectedId) {
        event.preventDefault();
        toggleCollapse(selectedId);
      } else if (key === "f" || key === "F") {
        setFitSeq((n) => n + 1);
      } else if (key === "/") {
        event.preventDefault();
        searchBox.current?.focus();
      } else if (key === "n" || key === "N") {
        stepMatch(event.shiftKey ? -1 : 1);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [model, rows, selectedId, tab, collapsed, jumpTo, toggleCollapse, stepMatch]);

  const selected = selectedId ? model.byId.get(selectedId) : undefined;
  const rootId = model.rootIds[0] ?? null;

  return (
    <TraceUiContext.Provider value={contextValue}>
      <div className="flex h-full flex-col">
        <TraceHeader model={model} onJump={(id) => jumpTo(id)} />
        <CriticalPathSummary model={model} onJump={(id) => jumpTo(id)} />
        <div className="flex flex-wrap items-center gap-3 border-b border-slate-200 bg-slate-50 px-4 py-1.5">
          <Tabs<Tab>
            label="Trace views"
            className="border-b-0"
            active={tab}
            onChange={setTab}
            tabs={[
              { id: "tree", label: "Tree" },
              { id: "timeline", label: "Timeline" },
            ]}
          />
          <div className="flex items-center gap-1 text-xs" role="group" aria-label="Colour nodes by">
            <span className="text-slate-500">Colour by</span>
            {(["latency", "cost"] as const).map((mode) => (
              <button
                key={mode}
                type="button"
                aria-pressed={colorMode === mode}
                onClick={() => setColorMode(mode)}
                className={`rounded px-2 py-0.5 ${colorMode === mode ? "bg-slate-800 text-white" : "text-slate-600 hover:bg-slate-200"}`}
              >
                {mode === "latency" ? "Latency" : "Cost"}
              </button>
            ))}
          </div>
          <form
            className="flex items-center gap-1"
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              stepMatch(1);
            }}
          >
            <input
              ref={searchBox}
              type="search"
              aria-label="Search in trace"
              placeholder="Find in trace…  ( / )"
              value={query}
              onChange={(e) => {
                setQuery(e.target.value);
                setMatchIndex(-1);
              }}
              onKeyDown={(e) => {
                if (e.key === "Enter" && e.shiftKey) {
                  e.preventDefault();
                  stepMatch(-1);
                }
                if (e.key === "Escape") (e.target as HTMLInputElement).blur();
              }}
              className="h-7 w-56 rounded border border-slate-300 bg-white px-2 text-xs focus:border-indigo-500 focus:ring-2 focus:ring-indigo-100 focus:outline-none"
            />
            {query && (
              <span className="w-16 text-[11px] text-slate-500 tabular-nums" aria-live="polite">
                {matches.length === 0 ? "no match" : `${matchIndex >= 0 ? matchIndex + 1 : 0}/${matches.length}`}
              </span>
            )}
            <button type="button" aria-label="Previous match" disabled={matches.length === 0} onClick={() => stepMatch(-1)} className="h-7 rounded px-1.5 text-xs text-slate-600 hover:bg-slate-200 disabled:opacity-40">
              ↑
            </button>
            <button type="button" aria-label="Next match" disabled={matches.length === 0} onClick={() => stepMatch(1)} className="h-7 rounded px-1.5 text-xs text-slate-600 hover:bg-slate-200 disabled:opacity-40">
              ↓
            </button>
          </form>
          <div className="ml-auto flex items-center gap-1 text-xs">
            <button type="button" className="rounded px-2 py-0.5 text-slate-600 hover:bg-slate-200" onClick={() => setCollapsed(expandAll(model, EXPAND_ALL_LIMIT))} title={model.nodes.length > EXPAND_ALL_LIMIT ? `Shows up to ${formatCount(EXPAND_ALL_LIMIT)} nodes` : undefined}>
              Expand all
            </button>
            <button type="button" className="rounded px-2 py-0.5 text-slate-600 hover:bg-slate-200" onClick={() => setCollapsed(collapseAll(model))}>
              Collapse all
            </button>
            {tab === "tree" && (
              <button type="button" className="rounded px-2 py-0.5 text-slate-600 hover:bg-slate-200" onClick={() => setFitSeq((n) => n + 1)}>
                Fit view
              </button>
            )}
            <span className="ml-2 text-[11px] text-slate-400" title="Arrows move · Enter root · Esc close · C fold · F fit · / search · N next match">
              {formatCount(layout.nodes.length)} of {formatCount(model.nodes.length)} nodes shown · keys: ←↑→↓ C F / N
            </span>
          </div>
        </div>
        <div className="flex min-h-0 flex-1">
          <div className="min-w-0 flex-1">
            {tab === "tree" ? (
              <TraceCanvas
                nodes={layout.nodes}
                edges={layout.edges}
                positions={layout.positions}
                focus={focus}
                fitSeq={fitSeq}
                initialFocusId={initialSelected}
                rootId={rootId}
                onSelect={select}
                onBackgroundClick={unselect}
              />
            ) : (
              <TraceTimeline
                model={model}
                collapsed={collapsed}
                selectedId={selectedId}
                matchIds={matchIds}
                colorMode={colorMode}
                focus={focus}
                onSelect={select}
                onToggle={toggleCollapse}
              />
            )}
          </div>
          {selected && <NodeDetailsPanel key={selected.id} model={model} node={selected} onClose={() => setSelectedId(null)} onSelect={(id) => jumpTo(id)} />}
        </div>
      </div>
    </TraceUiContext.Provider>
  );
}
