/**
 * Where the time on the critical path went (the chain lib/domain/trace-tree.ts marks as Jaeger
 * does): how a streamed LLM call's time splits into waiting for its first token and generating
 * the rest, and, per parent on the path, how much sooner its children would all have finished
 * had they run at once instead of one after another.
 */

export interface TimeSpan {
  startMs: number;
  endMs: number;
}

/**
 * How much sooner a parent's children would all have finished had each started at the first
 * one's start: their span as laid out (first start to last end) minus the longest of them. 0 when
 * they already ran side by side, or for fewer than two. Dependencies between them (a call that
 * needs another's answer) are not known, so this is what running them at once could at most save.
 * O(k).
 */
export function parallelSavingsMs(children: readonly TimeSpan[]): number {
  if (children.length < 2) return 0;
  let firstStart = Number.POSITIVE_INFINITY;
  let lastEnd = Number.NEGATIVE_INFINITY;
  let longest = 0;
  for (const { startMs, endMs } of children) {
    firstStart = Math.min(firstStart, startMs);
    lastEnd = Math.max(lastEnd, endMs);
    longest = Math.max(longest, endMs - startMs);
  }
  return Math.max(0, lastEnd - firstStart - longest);
}

export interface FirstTokenSplit {
  /** from the request's start to its first token */
  firstTokenMs: number;
  /** from the first token to the end: generating the answer */
  generationMs: number;
}

/**
 * A streamed call's latency split at its first token; null when no first token was timed (not a
 * stream, or nothing arrived). A first token reported after the end (a custom log's clocks may
 * disagree) is taken as the end.
 */
export function splitAtFirstToken(latencyMs: number, timeToFirstTokenMs: number | null): FirstTokenSplit | null {
  if (timeToFirstTokenMs === null || !Number.isFinite(timeToFirstTokenMs) || !Number.isFinite(latencyMs)) return null;
  const firstTokenMs = Math.min(Math.max(timeToFirstTokenMs, 0), Math.max(latencyMs, 0));
  return { firstTokenMs, generationMs: Math.max(latencyMs, 0) - firstTokenMs };
}

/** The part of a trace node these figures read: its subtree's span and its children. */
export interface PathNode extends TimeSpan {
  id: string;
  onCriticalPath: boolean;
  childIds: readonly string[];
}

export interface ParallelSaving {
  parentId: string;
  /** parallelSavingsMs of its children */
  savingsMs: number;
  childCount: number;
}

/**
 * The parents on the critical path whose children ran (partly) one after another, with what
 * running them at once could save, largest first (then in the nodes' order). Parents off the path
 * are left out: speeding them up would not end the trace sooner. O(n).
 */
export function criticalPathSavings<N extends PathNode>(nodes: readonly N[], byId: ReadonlyMap<string, N>): ParallelSaving[] {
  const savings: ParallelSaving[] = [];
  for (const node of nodes) {
    if (!node.onCriticalPath || node.childIds.length < 2) continue;
    const savingsMs = parallelSavingsMs(node.childIds.map((id) => byId.get(id)!));
    if (savingsMs > 0) savings.push({ parentId: node.id, savingsMs, childCount: node.childIds.length });
  }
  // Array sort is stable: equal savings keep the nodes' order.
  return savings.sort((a, b) => b.savingsMs - a.savingsMs);
}
