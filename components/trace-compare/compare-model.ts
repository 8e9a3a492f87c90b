import { formatDuration, formatUsd } from "@/components/ui/format";
import type { TraceModel } from "@/components/trace/trace-model";
import { lastSegment } from "@/components/trace/trace-model";
import { isSuccessStatus } from "@/lib/domain/request-status";
import type { ComparedNode, TraceCompareResponse } from "@/lib/queries/trace-compare";

/**
 * What the compare page shows of each node of the merged tree, from GET /api/v1/traces/compare
 * and (for names) both traces' own documents. Pure and O(n).
 *
 * A node's tone is what changed most, as a reader would rank it: it failed (b's standing attempt
 * failed where a's did not), it got slower or dearer, something else changed (content, model,
 * tokens, or it got faster or cheaper), or it is only in one of the traces.
 */
export type CompareTone = "failed" | "slower" | "dearer" | "changed" | "added" | "removed" | "same";

export const TONE_LABELS: Record<CompareTone, string> = {
  failed: "failed",
  slower: "slower",
  dearer: "dearer",
  changed: "changed",
  added: "added",
  removed: "removed",
  same: "same",
};

export interface CompareViewNode {
  /** React Flow's id (a path may be empty: the root's) */
  id: string;
  parentId: string | null;
  childIds: string[];
  compared: ComparedNode;
  tone: CompareTone;
  label: string;
  /** model and provider, or the span's kind, as the trace view says it */
  detail: string;
  /** a → b of latency and cost, or the one side's for a node in one trace only */
  summary: string;
}

export interface CompareModel {
  response: TraceCompareResponse;
  /** parents first, depth-first (the API's order) */
  nodes: CompareViewNode[];
  byId: Map<string, CompareViewNode>;
  rootIds: string[];
  toneCounts: Record<CompareTone, number>;
}

export const flowIdOf = (path: string) => `path:${path}`;

export function toneOf(node: ComparedNode): CompareTone {
  if (node.status !== "changed") return node.status;
  const { a, b, changes, deltas } = node;
  const failedNow = b?.statusCode != null && !isSuccessStatus(b.statusCode) && (a?.statusCode == null || isSuccessStatus(a.statusCode));
  if (failedNow) return "failed";
  if (changes.includes("latency") && (deltas.latencyMs ?? 0) > 0) return "slower";
  if (changes.includes("cost") && ((deltas.cost ?? 0) > 0 || (a?.cost === null && b?.cost !== null))) return "dearer";
  return "changed";
}

export function buildCompareModel(response: TraceCompareResponse, traceA?: TraceModel, traceB?: TraceModel): CompareModel {
  const byId = new Map<string, CompareViewNode>();
  const nodes: CompareViewNode[] = [];
  const rootIds: string[] = [];
  const toneCounts: Record<CompareTone, number> = { failed: 0, slower: 0, dearer: 0, changed: 0, added: 0, removed: 0, same: 0 };
  for (const compared of response.nodes) {
    const shown = (compared.b && traceB?.byId.get(compared.b.nodeId)) || (compared.a && traceA?.byId.get(compared.a.nodeId)) || undefined;
    const tone = toneOf(compared);
    const node: CompareViewNode = {
      id: flowIdOf(compared.path),
      parentId: compared.parentPath === null ? null : flowIdOf(compared.parentPath),
      childIds: [],
      compared,
      tone,
      // A never-logged root is named by its trace id, which differs between the two: it is the root of both.
      label: compared.path === "" && (!shown || shown.isVirtual) ? "(trace root)" : (shown?.label ?? lastSegment(compared.path)),
      detail: shown?.detail ?? compared.path,
      summary: summaryOf(compared),
    };
    toneCounts[tone]++;
    byId.set(node.id, node);
    nodes.push(node);
    const parent = node.parentId === null ? undefined : byId.get(node.parentId);
    if (parent) parent.childIds.push(node.id);
    else rootIds.push(node.id);
  }
  return { response, nodes, byId, rootIds, toneCounts };
}

function summaryOf({ a, b }: ComparedNode): string {
  const own = (side: NonNullable<ComparedNode["a"]>) => (side.virtual ? `${formatDuration(side.subtreeLatencyMs)} subtree` : `${formatDuration(side.latencyMs)} · ${formatUsd(side.cost, side.costUnknown)}`);
  if (a && b) {
    if (a.virtual && b.virtual) return own(b);
    return `${formatDuration(a.latencyMs)} → ${formatDuration(b.latencyMs)} · ${formatUsd(a.cost, a.costUnknown)} → ${formatUsd(b.cost, b.costUnknown)}`;
  }
  return b ? `new: ${own(b)}` : `was: ${own(a!)}`;
}

/** "+600 ms", "−$0.0010", "±0": a delta as the header and the panel show it. */
export function formatDelta(value: number | null, format: (magnitude: number) => string): string {
  if (value === null) return "—";
  if (value === 0) return "±0";
  return `${value > 0 ? "+" : "−"}${format(Math.abs(value))}`;
}
