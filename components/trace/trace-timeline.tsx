"use client";

import { memo, useEffect, useMemo, useRef, useState } from "react";
import { formatDuration } from "@/components/ui/format";
import { FirstTokenMark } from "./first-token-mark";
import { heatColor, nodeHeat } from "./heat";
import type { FocusRequest } from "./trace-canvas";
import { visibleNodes } from "./trace-collapse";
import { lastSegment, type TraceModel, type TraceViewNode } from "./trace-model";
import type { ColorMode } from "./trace-ui-store";

const ROW_HEIGHT = 24;
const LABEL_WIDTH = 300;
const OVERSCAN = 12;

interface Props {
  model: TraceModel;
  collapsed: ReadonlySet<string>;
  selectedId: string | null;
  matchIds: ReadonlySet<string>;
  colorMode: ColorMode;
  focus: FocusRequest | null;
  onSelect: (id: string) => void;
  onToggle: (id: string) => void;
}

/**
 * The same trace on a time axis (a waterfall): one row per shown node, depth-first, its own span
 * as a bar (a virtual node's whole subtree as an outline). Rows are virtualized: only the ones in
 * view are in the DOM, so 10,000 rows scroll like 50.
 */
export const TraceTimeline = memo(function TraceTimeline({ model, collapsed, selectedId, matchIds, colorMode, focus, onSelect, onToggle }: Props) {
  const rows = useMemo(() => visibleNodes(model, collapsed), [model, collapsed]);
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const spanMs = Math.max(1, model.endMs - model.startMs);

  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const element = scroller.current;
    if (!focus || !element) return;
    const index = rows.findIndex((row) => row.id === focus.id);
    if (index === -1) return;
    const top = index * ROW_HEIGHT;
    if (top < element.scrollTop || top + ROW_HEIGHT > element.scrollTop + element.clientHeight - ROW_HEIGHT) {
      element.scrollTop = Math.max(0, top - element.clientHeight / 2);
    }
  }, [focus, rows]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const ticks = useMemo(() => axisTicks(spanMs), [spanMs]);

  return (
    <div className="flex h-full flex-col bg-white" aria-label="Trace timeline">
      <div className="flex h-7 shrink-0 border-b border-slate-200 bg-slate-50 text-[10px] text-slate-500">
        <div className="shrink-0 border-r border-slate-200 px-2 leading-7" style={{ width: LABEL_WIDTH }}>
          Node
        </div>
        <div className="relative mr-16 ml-2 flex-1">
          {ticks.map((t) => (
            <span key={t} className="absolute top-0 -translate-x-1/2 leading-7 tabular-nums" style={{ left: `${(t / spanMs) * 100}%` }}>
              {formatDuration(t)}
            </span>
          ))}
        </div>
      </div>
      <div ref={scroller} className="relative min-h-0 flex-1 overflow-auto" onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
        <div style={{ height: rows.length * ROW_HEIGHT, position: "relative" }} role="list">
          {rows.slice(first, last).map((node, i) => (
            <TimelineRow
              key={node.id}
              node={node}
              top={(first + i) * ROW_HEIGHT}
              model={model}
              spanMs={spanMs}
              ticks={ticks}
              selected={node.id === selectedId}
              matched={matchIds.has(node.id)}
              collapsed={collapsed.has(node.id)}
              colorMode={colorMode}
              onSelect={onSelect}
              onToggle={onToggle}
            />
          ))}
        </div>
      </div>
    </div>
  );
});

const TimelineRow = memo(function TimelineRow({
  node,
  top,
  model,
  spanMs,
  ticks,
  selected,
  matched,
  collapsed,
  colorMode,
  onSelect,
  onToggle,
}: {
  node: TraceViewNode;
  top: number;
  model: TraceModel;
  spanMs: number;
  ticks: number[];
  selected: boolean;
  matched: boolean;
  collapsed: boolean;
  colorMode: ColorMode;
  onSelect: (id: string) => void;
  onToggle: (id: string) => void;
}) {
  const share = nodeHeat(model, node, colorMode);
  const fill = heatColor(Math.max(share, 0.15));
  const indent = Math.min(node.depth - 1, 24) * 12;
  const pct = (ms: number) => `${((ms - model.startMs) / spanMs) * 100}%`;
  const width = (from: number, to: number) => `max(2px, ${((to - from) / spanMs) * 100}%)`;
  const labelAt = node.isVirtual ? node.endMs : (node.ownEndMs ?? node.endMs);
  return (
    <div
      role="listitem"
      data-node-id={node.id}
      aria-selected={selected}
      onClick={() => onSelect(node.id)}
      className={`absolute right-0 left-0 flex cursor-pointer items-center text-[11.5px] ${selected ? "bg-indigo-50" : matched ? "bg-amber-50" : "hover:bg-slate-50"}`}
      style={{ top, height: ROW_HEIGHT }}
    >
      <div className="relative flex h-full shrink-0 items-center gap-1 overflow-hidden border-r border-slate-100 pr-2" style={{ width: LABEL_WIDTH, paddingLeft: 8 + indent }}>
        {node.onCriticalPath && <span className="absolute top-1 bottom-1 left-0.5 w-0.5 rounded bg-violet-500" title="On the critical path" />}
        {node.childIds.length > 0 ? (
          <button
            type="button"
            aria-label={collapsed ? "Expand subtree" : "Collapse subtree"}
            aria-expanded={!collapsed}
            className="w-4 shrink-0 text-slate-400 hover:text-slate-800"
            onClick={(e) => {
              e.stopPropagation();
              onToggle(node.id);
            }}
          >
            {collapsed ? "▸" : "▾"}
          </button>
        ) : (
          <span className="w-4 shrink-0" />
        )}
        <span className={`truncate ${node.isVirtual ? "text-slate-500 italic" : node.status === "error" ? "font-medium text-red-700" : "text-slate-800"}`} title={`${node.label} — ${node.id}`}>
          {node.label}
        </span>
        {node.label !== lastSegment(node.id) && <span className="min-w-0 shrink truncate font-mono text-[10px] text-slate-400">{lastSegment(node.id)}</span>}
        {collapsed && <span className="shrink-0 text-[10px] text-slate-400">+{node.descendantCount}</span>}
      </div>
      <div className="relative mr-16 ml-2 h-full flex-1">
        {ticks.map((t) => (
          <span key={t} className="absolute top-0 h-full w-px bg-slate-100" style={{ left: `${(t / spanMs) * 100}%` }} />
        ))}
        {node.isVirtual ? (
          <span className="absolute top-[7px] h-[10px] rounded-sm border border-dashed border-slate-400" style={{ left: pct(node.startMs), width: width(node.startMs, node.endMs) }} title={`Subtree ${formatDuration(node.subtreeLatencyMs)}`} />
        ) : (
          node.childIds.length > 0 && (
            // The subtree's span behind the node's own bar: how long everything under it took.
            <span className="absolute top-[11px] h-[2px] bg-slate-300" style={{ left: pct(node.startMs), width: width(node.startMs, node.endMs) }} title={`Subtree ${formatDuration(node.subtreeLatencyMs)}`} />
          )
        )}
        {node.attempts.map((attempt) => {
          const from = Date.parse(attempt.startTime);
          const to = Date.parse(attempt.endTime);
          const failed = attempt.status < 200 || attempt.status >= 300;
          return (
            <span
              key={attempt.id}
              className={`absolute top-[5px] h-[14px] rounded-sm ${node.onCriticalPath ? "ring-1 ring-violet-600" : ""}`}
              title={`${attempt.status} · ${formatDuration(attempt.latencyMs)}`}
              style={{
                left: pct(from),
                width: width(from, to),
                // Failed: red stripes, unmistakable next to any heat colour.
                background: failed ? "repeating-linear-gradient(135deg, #dc2626 0 4px, #fca5a5 4px 7px)" : fill,
              }}
            />
          );
        })}
        <FirstTokenMark node={node} left={pct} width={width} />
        <span className="absolute top-0 pl-1 leading-6 whitespace-nowrap text-slate-500 tabular-nums" style={{ left: pct(labelAt) }}>
          {formatDuration(node.isVirtual ? node.subtreeLatencyMs : node.selfLatencyMs)}
          {node.attempts.length > 1 && <span className="text-slate-400"> · {node.attempts.length} tries</span>}
        </span>
      </div>
    </div>
  );
});

/** About five round tick marks across the span. */
function axisTicks(spanMs: number): number[] {
  const rough = spanMs / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? rough;
  const ticks: number[] = [];
  for (let t = 0; t <= spanMs + 1e-9; t += step) ticks.push(t);
  return ticks;
}
