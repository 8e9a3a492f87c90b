import { splitAtFirstToken, type FirstTokenSplit } from "@/lib/domain/critical-path-time";
import type { TraceViewNode } from "./trace-model";

/** The node's standing (last) attempt split at its first token, with its start; null unless it streamed. */
export function firstTokenSplitOf(node: TraceViewNode): (FirstTokenSplit & { startMs: number }) | null {
  const last = node.attempts.at(-1);
  if (!last) return null;
  const split = splitAtFirstToken(last.latencyMs, last.timeToFirstTokenMs);
  return split && { ...split, startMs: Date.parse(last.startTime) };
}

/** "could save 2.1 s by running these 3 calls at once" */
export function savingsSentence(savingsMs: number, childCount: number, format: (ms: number) => string): string {
  return `could save ${format(savingsMs)} by running these ${childCount} calls at once`;
}
