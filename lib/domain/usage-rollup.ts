import type { LoggedRequest } from "./logged-request";
import { buildTraceTree, type TraceRequest } from "./trace-tree";

/**
 * Usage roll-ups. Several OpenTelemetry conventions put an LLM call's usage on more than one span:
 * the Vercel AI SDK's `invoke_agent` sums its `chat` calls, a framework's LLM span wraps the span
 * of the instrumented client it calls. Priced on every span, a trace would count those tokens
 * twice or more. Whatever the convention, it is decided by the tree's shape alone:
 *
 *   An OTLP span that carries usage and has, anywhere below it in its trace, a request (of any
 *   source) that carries usage is a roll-up: its tokens stay, as a sum of the calls below; its
 *   cost is 0, because those calls are priced themselves.
 *
 * Proxied and custom-logged requests are calls that happened, so they are never roll-ups. The
 * rule is monotonic: a stored request never stops being a roll-up as more of its trace arrives,
 * so marking after every write gives the same result whatever the order of arrival.
 */

type Usage = Pick<LoggedRequest, "promptTokens" | "completionTokens" | "totalTokens" | "costUsd">;

/** Usage of an LLM call: a token count or a cost above 0. */
export function carriesLlmUsage(request: Usage): boolean {
  return (request.promptTokens ?? 0) > 0 || (request.completionTokens ?? 0) > 0 || (request.totalTokens ?? 0) > 0 || (request.costUsd ?? 0) > 0;
}

/** What the rule reads of each stored request of a trace. */
export interface RollupCandidate extends TraceRequest, Usage {
  source: string;
  usageRollup: boolean;
}

/**
 * The ids of a trace's requests that are roll-ups and not yet marked. Decided on the tree the
 * trace view draws (buildTraceTree: ancestors never logged filled in from node paths, parent
 * loops cut), so the mark always agrees with what the user sees. O(n log n).
 */
export function unmarkedUsageRollups(requests: readonly RollupCandidate[]): string[] {
  const tree = buildTraceTree(requests);
  // Children come after their parents: walked backwards, a node is seen after all of its subtree.
  const usageBelow = new Set<string>();
  for (let i = tree.nodes.length - 1; i >= 0; i--) {
    const node = tree.nodes[i]!;
    if (node.parentId !== null && (usageBelow.has(node.id) || node.requests.some(carriesLlmUsage))) usageBelow.add(node.parentId);
  }
  const ids: string[] = [];
  for (const node of tree.nodes) {
    if (!usageBelow.has(node.id)) continue;
    for (const request of node.requests) {
      if (request.source === "otel" && !request.usageRollup && carriesLlmUsage(request)) ids.push(request.id);
    }
  }
  return ids;
}

/**
 * Whether storing this record can turn a stored span of its trace into a roll-up: an OTLP span
 * (it may be the roll-up itself, root spans included), or any request that names a parent (it may
 * be a call below a span, or the missing link between a span and the calls below it).
 */
export function mayMakeRollups(record: LoggedRequest): boolean {
  if (record.traceId === null || record.nodeId === null) return false;
  return record.source === "otel" || record.parentNodeId !== null;
}
