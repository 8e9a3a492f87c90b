/**
 * GET /api/v1/traces/compare?a={traceId}&b={traceId}: the response body, declared once for the
 * server that writes it (lib/domain/trace-compare.ts) and the compare page that reads it. Every
 * delta is b − a. Pure types: safe to import from every layer, browser code included.
 */
import type { TraceMetrics } from "./trace";

/** A node's place in the comparison: in both traces (same or changed), or in one of them only. */
export type ComparedNodeStatus = "same" | "changed" | "added" | "removed";

/** What made a node `changed`, in this order. */
export const NODE_CHANGES = ["status", "model", "cost", "tokens", "content", "latency"] as const;
export type NodeChange = (typeof NODE_CHANGES)[number];

/** The numeric trace metrics: each gets a delta (so a metric added to TraceMetrics gets one too). */
export type NumericTraceMetric = { [K in keyof TraceMetrics]: TraceMetrics[K] extends number ? K : never }[keyof TraceMetrics];
export type TraceMetricDeltas = Record<NumericTraceMetric, number>;

export interface ComparedTrace {
  traceId: string;
  metrics: TraceMetrics;
}

/** One side of an aligned node: the node as it is in that trace. */
export interface ComparedNodeSide {
  /** its node id in that trace */
  nodeId: string;
  virtual: boolean;
  /** the attempt that stands (the last by start time), whose status, model and content are compared; null for a virtual node */
  requestId: string | null;
  /** attempts, retries included */
  requestCount: number;
  /** the standing attempt's status; null for a virtual node */
  statusCode: number | null;
  model: string | null;
  /** wall time of its own attempts; null for a virtual node */
  latencyMs: number | null;
  /** known cost of its own attempts, USD; null when none is priced (a virtual node) */
  cost: number | null;
  /** some attempt's price is unknown: cost is a lower bound */
  costUnknown: boolean;
  /** summed over its attempts; null when none reported any */
  promptTokens: number | null;
  completionTokens: number | null;
  subtreeLatencyMs: number;
  subtreeCost: number;
}

/** b − a; null when either side has no value (a node in one trace only, a virtual node, no tokens). */
export interface ComparedNodeDeltas {
  latencyMs: number | null;
  cost: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  statusCode: number | null;
}

export interface ComparedNode {
  /**
   * What aligns the node across traces: its node id without the trace segment (`plan:search`; ""
   * for the trace's root), or for an OTLP span without a Helicone path the chain of span names
   * with each one's index among same-named siblings (`invoke_agent[0] > chat[1]`).
   */
  path: string;
  /** the parent's path in the merged tree; null at a root */
  parentPath: string | null;
  /** 1 at a root of the merged tree */
  depth: number;
  status: ComparedNodeStatus;
  /** why it is `changed` (empty otherwise) */
  changes: NodeChange[];
  a: ComparedNodeSide | null;
  b: ComparedNodeSide | null;
  deltas: ComparedNodeDeltas;
  /** whether the standing attempt's prompt or answer text differs; null for a node in one trace only */
  contentChanged: boolean | null;
}

/** The body of GET /api/v1/traces/compare: nodes parents first, depth-first, over the merged tree. */
export interface TraceCompareResponse {
  a: ComparedTrace;
  b: ComparedTrace;
  deltas: TraceMetricDeltas;
  nodes: ComparedNode[];
}
