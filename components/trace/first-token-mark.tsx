"use client";

import { formatDuration } from "@/components/ui/format";
import { firstTokenSplitOf } from "./first-token-split";
import type { TraceViewNode } from "./trace-model";

/**
 * On a timeline bar of the critical path: the streamed call's wait for its first token, shaded,
 * up to a mark where generation begins. `left` and `width` are the timeline's own scales.
 */
export function FirstTokenMark({ node, left, width }: { node: TraceViewNode; left: (ms: number) => string; width: (from: number, to: number) => string }) {
  const split = node.onCriticalPath ? firstTokenSplitOf(node) : null;
  if (!split) return null;
  const firstTokenAt = split.startMs + split.firstTokenMs;
  return (
    <span
      data-testid="first-token-mark"
      className="absolute top-[5px] h-[14px] rounded-l-sm border-r-2 border-violet-700 bg-white/50"
      style={{ left: left(split.startMs), width: width(split.startMs, firstTokenAt) }}
      title={`${formatDuration(split.firstTokenMs)} to first token · ${formatDuration(split.generationMs)} generating`}
    />
  );
}
