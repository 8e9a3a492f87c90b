import { formatCount } from "@/components/ui/format";
import { TRACE_NAME_PROPERTY } from "@/lib/contracts/trace";
import { isSuccessStatus } from "@/lib/domain/request-status";
import { carriesLlmUsage } from "@/lib/domain/usage-rollup";
import { depthFirstOrder } from "@/lib/domain/tree-order";
import type { TraceNodeDto, TraceRequestDto, TraceResponse } from "@/lib/queries/traces";

/**
 * What the trace view shows of each node, derived once per trace from GET /api/v1/traces/{id}.
 * Pure and O(n): children come from parentId (siblings keep the API's order: by start time),
 * nodes are re-ordered depth-first whatever order they arrive in, descendant counts roll up
 * bottom-up, and the slowest and most expensive nodes are found in the same pass. A node whose
 * parent is missing from the response (should not happen, but the trace must still render)
 * becomes a root.
 */
export type NodeStatus = "ok" | "error" | "virtual";

export interface TraceViewNode {
  id: string;
  parentId: string | null;
  depth: number;
  isVirtual: boolean;
  onCriticalPath: boolean;
  childIds: string[];
  /** Step/Stage/Aspect-like property, else the model, else the last id segment */
  label: string;
  /** the second line: an OTLP span's kind, then the model (or the span name, or the id segment, when the label is the model) and the provider */
  detail: string;
  /** an OTLP span's kind (Langfuse's observation type: GENERATION, TOOL…; else the span kind); null for other sources */
  kind: string | null;
  /** decided by the last attempt: a retry that succeeded is ok */
  status: NodeStatus;
  statusCode: number | null;
  attempts: TraceRequestDto[];
  failedAttempts: number;
  selfLatencyMs: number | null;
  timeToFirstTokenMs: number | null;
  ownCostUsd: number | null;
  ownCostUnknown: boolean;
  promptTokens: number | null;
  completionTokens: number | null;
  /** its tokens repeat the LLM calls below it, which carry the cost (lib/domain/usage-rollup.ts) */
  usageRollup: boolean;
  /** LLM calls (attempts with usage, roll-ups aside) in the subtree below this node */
  llmCallsBelow: number;
  subtreeLatencyMs: number;
  subtreeCostUsd: number;
  subtreeCostComplete: boolean;
  subtreeRequestCount: number;
  /** cost and wall-clock time of the subtree's failed, cancelled and replaced requests */
  subtreeWastedCostUsd: number;
  subtreeWastedDurationMs: number;
  descendantCount: number;
  /** subtree span, epoch ms */
  startMs: number;
  endMs: number;
  /** own attempts' span; null for a virtual node */
  ownStartMs: number | null;
  ownEndMs: number | null;
}

export interface TraceModel {
  traceId: string;
  /** the trace's name, as Langfuse's SDKs give it (the `trace_name` property of its first node that has one) */
  name: string | null;
  metrics: TraceResponse["metrics"];
  /** parents before children, siblings by start time (the API's order) */
  nodes: TraceViewNode[];
  byId: Map<string, TraceViewNode>;
  rootIds: string[];
  slowestId: string | null;
  priciestId: string | null;
  /** ranges of own latency and own cost over logged nodes, for heat colours */
  minSelfLatencyMs: number;
  maxSelfLatencyMs: number;
  minOwnCostUsd: number;
  maxOwnCostUsd: number;
  failedCount: number;
  virtualCount: number;
  startMs: number;
  endMs: number;
}

const LABEL_PROPERTIES = ["step", "stage", "aspect", "name", "task", "phase", "action", "agent", "tool", "operation"];

export function lastSegment(id: string): string {
  const cut = id.lastIndexOf(":");
  return cut === -1 ? id : id.slice(cut + 1);
}

function labelOf(dto: TraceNodeDto, last: TraceRequestDto | undefined): { label: string; detail: string } {
  const segment = lastSegment(dto.id);
  const short = segment.length > 24 ? `${segment.slice(0, 14)}…` : segment;
  if (!last) return { label: short, detail: "virtual · not logged" };
  const model = last.model ?? last.path;
  const kind = kindOf(last);
  const prefix = kind ? `${kind.toLowerCase()} · ` : "";
  for (const key of LABEL_PROPERTIES) {
    const value = last.properties[key];
    if (value) return { label: value, detail: `${prefix}${model} · ${last.provider}` };
  }
  const label = last.model ?? (last.path.split("/").filter(Boolean).at(-1) || last.path);
  // An OTLP span's node id is a random span id: its name (the path) says what the node is.
  const name = kind === null ? short : last.model ? last.path : null;
  return { label, detail: `${prefix}${name === null ? "" : `${name} · `}${last.provider}` };
}

/** For an OTLP span the method column holds the node's kind; other sources hold an HTTP method there. */
function kindOf(request: TraceRequestDto | undefined): string | null {
  return request?.source === "otel" ? request.method : null;
}

export function buildTraceModel(response: TraceResponse): TraceModel {
  const byId = new Map<string, TraceViewNode>();
  const listed: TraceViewNode[] = [];
  let slowest: TraceViewNode | null = null;
  let minSelfLatencyMs = Number.POSITIVE_INFINITY;
  let minOwnCostUsd = Number.POSITIVE_INFINITY;
  let priciest: TraceViewNode | null = null;
  let failedCount = 0;
  let virtualCount = 0;
  let startMs = Number.POSITIVE_INFINITY;
  let endMs = Number.NEGATIVE_INFINITY;

  for (const dto of response.nodes) {
    const attempts = dto.requests;
    const last = attempts.at(-1);
    const { label, detail } = labelOf(dto, last);
    let ownCost: number | null = null;
    let ownCostUnknown = false;
    let failedAttempts = 0;
    let ownStart = Number.POSITIVE_INFINITY;
    let ownEnd = Number.NEGATIVE_INFINITY;
    for (const attempt of attempts) {
      if (attempt.cost !== null) ownCost = (ownCost ?? 0) + attempt.cost;
      if (attempt.costUnknown) ownCostUnknown = true;
      if (!isSuccessStatus(attempt.status)) failedAttempts++;
      ownStart = Math.min(ownStart, Date.parse(attempt.startTime));
      ownEnd = Math.max(ownEnd, Date.parse(attempt.endTime));
    }
    const status: NodeStatus = !last ? "virtual" : isSuccessStatus(last.status) ? "ok" : "error";
    const node: TraceViewNode = {
      id: dto.id,
      parentId: dto.parentId,
      depth: dto.depth,
      isVirtual: dto.virtual,
      onCriticalPath: dto.onCriticalPath,
      childIds: [],
      label,
      detail,
      kind: kindOf(last),
      status,
      statusCode: last?.status ?? null,
      attempts,
      failedAttempts,
      selfLatencyMs: dto.selfLatencyMs,
      timeToFirstTokenMs: last?.timeToFirstTokenMs ?? null,
      ownCostUsd: ownCost,
      ownCostUnknown,
      promptTokens: sumOrNull(attempts, "promptTokens"),
      completionTokens: sumOrNull(attempts, "completionTokens"),
      usageRollup: attempts.some((attempt) => attempt.usageRollup),
      llmCallsBelow: 0,
      subtreeLatencyMs: dto.subtreeLatencyMs,
      subtreeCostUsd: dto.subtreeCost,
      subtreeCostComplete: dto.subtreeCostComplete,
      subtreeRequestCount: dto.subtreeRequestCount,
      subtreeWastedCostUsd: dto.subtreeWastedCost,
      subtreeWastedDurationMs: dto.subtreeWastedDurationMs,
      descendantCount: 0,
      startMs: Date.parse(dto.startTime),
      endMs: Date.parse(dto.endTime),
      ownStartMs: last ? ownStart : null,
      ownEndMs: last ? ownEnd : null,
    };
    byId.set(node.id, node);
    listed.push(node);
    if (status === "error") failedCount++;
    if (node.isVirtual) virtualCount++;
    startMs = Math.min(startMs, node.startMs);
    endMs = Math.max(endMs, node.endMs);
    if (node.selfLatencyMs !== null) minSelfLatencyMs = Math.min(minSelfLatencyMs, node.selfLatencyMs);
    if (node.ownCostUsd !== null) minOwnCostUsd = Math.min(minOwnCostUsd, node.ownCostUsd);
    if (node.selfLatencyMs !== null && (!slowest || node.selfLatencyMs > slowest.selfLatencyMs!)) slowest = node;
    if (node.ownCostUsd !== null && node.ownCostUsd > 0 && (!priciest || node.ownCostUsd > priciest.ownCostUsd!)) priciest = node;
  }

  const rootIds: string[] = [];
  for (const node of listed) {
    const parent = node.parentId === null || node.parentId === node.id ? undefined : byId.get(node.parentId);
    if (parent) parent.childIds.push(node.id);
    else rootIds.push(node.id);
  }
  // The API already orders siblings by start time; re-sort only when the input was shuffled.
  const byStart = (a: string, b: string) => byId.get(a)!.startMs - byId.get(b)!.startMs || (a < b ? -1 : a > b ? 1 : 0);
  for (const node of listed) if (node.childIds.length > 1 && !isSorted(node.childIds, byStart)) node.childIds.sort(byStart);
  if (!isSorted(rootIds, byStart)) rootIds.sort(byStart);
  const nodes = depthFirstOrder(byId, rootIds);
  // Parents come before their children, so one backward pass rolls counts up.
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    const parent = node.parentId === null ? undefined : byId.get(node.parentId);
    if (!parent) continue;
    parent.descendantCount += node.descendantCount + 1;
    parent.llmCallsBelow += node.llmCallsBelow + node.attempts.filter(isLlmCall).length;
  }

  return {
    traceId: response.traceId,
    name: traceName(nodes),
    metrics: response.metrics,
    nodes,
    byId,
    rootIds,
    slowestId: slowest?.id ?? null,
    priciestId: priciest?.id ?? null,
    minSelfLatencyMs: Number.isFinite(minSelfLatencyMs) ? minSelfLatencyMs : 0,
    maxSelfLatencyMs: slowest?.selfLatencyMs ?? 0,
    minOwnCostUsd: Number.isFinite(minOwnCostUsd) ? minOwnCostUsd : 0,
    maxOwnCostUsd: priciest?.ownCostUsd ?? 0,
    failedCount,
    virtualCount,
    startMs: Number.isFinite(startMs) ? startMs : 0,
    endMs: Number.isFinite(endMs) ? endMs : 0,
  };
}

/** The first trace name met in depth-first order: the root's, when it carries one. */
function traceName(nodes: readonly TraceViewNode[]): string | null {
  for (const node of nodes) {
    const name = node.attempts.at(-1)?.properties[TRACE_NAME_PROPERTY];
    if (name) return name;
  }
  return null;
}

function isSorted(ids: string[], compare: (a: string, b: string) => number): boolean {
  for (let i = 1; i < ids.length; i++) if (compare(ids[i - 1]!, ids[i]!) > 0) return false;
  return true;
}

/** What a roll-up's tokens and missing cost stand for (a tooltip). */
export function rollupTitle(llmCallsBelow: number): string {
  return `Roll-up: its tokens repeat the ${formatCount(llmCallsBelow)} LLM call${llmCallsBelow === 1 ? "" : "s"} below it, whose cost is counted there`;
}

function isLlmCall(attempt: TraceRequestDto): boolean {
  return !attempt.usageRollup && carriesLlmUsage({ ...attempt, totalTokens: null, costUsd: attempt.cost });
}

function sumOrNull(attempts: TraceRequestDto[], field: "promptTokens" | "completionTokens"): number | null {
  let total: number | null = null;
  for (const attempt of attempts) if (attempt[field] !== null) total = (total ?? 0) + attempt[field]!;
  return total;
}
