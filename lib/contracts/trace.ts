/**
 * GET /api/v1/traces/{traceId}: the response body, declared once for the server that writes it
 * and the dashboard that reads it.
 *
 * A request's fields and a node's fields are tables rather than interfaces, because the server
 * needs them as values: it selects the columns, decodes the rows and writes the JSON by walking
 * these tables (lib/storage/trace-rows.ts, lib/read-api/get-trace.ts), and the types below are
 * derived from the same tables. A field is added, renamed or retyped here and nowhere else. The
 * order of each table is the order of the keys in the JSON.
 *
 * Pure types and constants: safe to import from every layer, browser code included.
 */

/** How a field's value is held on the server and how it travels in the JSON. */
export type TraceFieldKind = keyof FieldValues;

interface FieldValues {
  string: { server: string; json: string };
  nullableString: { server: string | null; json: string | null };
  /** JSON has no NaN or Infinity: those travel as null, as JSON.stringify writes them */
  number: { server: number; json: number };
  nullableNumber: { server: number | null; json: number | null };
  boolean: { server: boolean; json: boolean };
  /** epoch milliseconds on the server, ISO 8601 UTC text in the JSON */
  time: { server: number; json: string };
  /** stored JSON object text on the server (anything else reads as {}), an object in the JSON */
  jsonObject: { server: string; json: Record<string, string> };
}

export type ServerValue<K extends TraceFieldKind> = FieldValues[K]["server"];
export type JsonValue<K extends TraceFieldKind> = FieldValues[K]["json"];

/**
 * A node's requests (its attempts), as a node card and its panel show them; bodies come from
 * GET /api/v1/requests/{id}. `column` is the Request column the server reads, `from` the key of
 * the server's row (TraceRow) that holds it.
 */
export const TRACE_REQUEST_FIELDS = [
  { name: "id", kind: "string", column: "id", from: "id" },
  { name: "source", kind: "string", column: "source", from: "source" },
  { name: "status", kind: "number", column: "status", from: "status" },
  { name: "errorReason", kind: "nullableString", column: "errorReason", from: "errorReason" },
  { name: "cancelled", kind: "boolean", column: "cancelled", from: "cancelled" },
  { name: "provider", kind: "string", column: "provider", from: "provider" },
  { name: "model", kind: "nullableString", column: "model", from: "model" },
  { name: "path", kind: "string", column: "path", from: "path" },
  // the node's kind for an OTLP span (Langfuse's observation type, else the span kind), else the HTTP method
  { name: "method", kind: "string", column: "method", from: "method" },
  { name: "startTime", kind: "time", column: "startTime", from: "startMs" },
  { name: "endTime", kind: "time", column: "endTime", from: "endMs" },
  { name: "latencyMs", kind: "number", column: "latencyMs", from: "latencyMs" },
  { name: "timeToFirstTokenMs", kind: "nullableNumber", column: "timeToFirstTokenMs", from: "timeToFirstTokenMs" },
  { name: "stream", kind: "boolean", column: "stream", from: "stream" },
  { name: "cost", kind: "nullableNumber", column: "costUsd", from: "costUsd" },
  { name: "costUnknown", kind: "boolean", column: "costUnknown", from: "costUnknown" },
  // its tokens repeat the LLM calls below it, which carry the cost (lib/domain/usage-rollup.ts)
  { name: "usageRollup", kind: "boolean", column: "usageRollup", from: "usageRollup" },
  { name: "promptTokens", kind: "nullableNumber", column: "promptTokens", from: "promptTokens" },
  { name: "completionTokens", kind: "nullableNumber", column: "completionTokens", from: "completionTokens" },
  { name: "cachedTokens", kind: "nullableNumber", column: "cachedTokens", from: "cachedTokens" },
  { name: "tokensEstimated", kind: "boolean", column: "tokensEstimated", from: "tokensEstimated" },
  { name: "sessionId", kind: "nullableString", column: "sessionId", from: "sessionId" },
  { name: "userId", kind: "nullableString", column: "userId", from: "userId" },
  { name: "properties", kind: "jsonObject", column: "properties", from: "properties" },
] as const satisfies readonly TraceRequestField[];

/**
 * A node of the tree; its `requests` (TRACE_REQUEST_FIELDS) follow these as the last key.
 * `from` is the key of the server's tree node (lib/domain/trace-tree.ts) that holds it.
 */
export const TRACE_NODE_FIELDS = [
  { name: "id", kind: "string", from: "id" },
  { name: "parentId", kind: "nullableString", from: "parentId" },
  { name: "depth", kind: "number", from: "depth" },
  { name: "virtual", kind: "boolean", from: "isVirtual" },
  { name: "onCriticalPath", kind: "boolean", from: "onCriticalPath" },
  { name: "selfLatencyMs", kind: "nullableNumber", from: "selfLatencyMs" },
  { name: "subtreeLatencyMs", kind: "number", from: "subtreeLatencyMs" },
  { name: "subtreeCost", kind: "number", from: "subtreeCostUsd" },
  { name: "subtreeCostComplete", kind: "boolean", from: "subtreeCostComplete" },
  { name: "subtreeRequestCount", kind: "number", from: "subtreeRequestCount" },
  // wasted spend in the subtree, as metrics.wastedCost and metrics.wastedDurationMs for the trace
  { name: "subtreeWastedCost", kind: "number", from: "subtreeWastedCostUsd" },
  { name: "subtreeWastedDurationMs", kind: "number", from: "subtreeWastedDurationMs" },
  { name: "startTime", kind: "time", from: "subtreeStartMs" },
  { name: "endTime", kind: "time", from: "subtreeEndMs" },
] as const satisfies readonly TraceField[];

export interface TraceField {
  /** the key in the JSON */
  name: string;
  kind: TraceFieldKind;
  /** the key of the server-side object the value is taken from */
  from: string;
}

export interface TraceRequestField extends TraceField {
  /** the column of the Request table it is read from */
  column: string;
}

/** The JSON object a table of fields describes. */
export type JsonObjectOf<Fields extends readonly TraceField[]> = {
  [F in Fields[number] as F["name"]]: JsonValue<F["kind"]>;
};

/** The server-side object a table of fields is read from (the keys in `from`). */
export type ServerObjectOf<Fields extends readonly Pick<TraceField, "from" | "kind">[]> = {
  [F in Fields[number] as F["from"]]: ServerValue<F["kind"]>;
};

/**
 * The property a trace's own name is logged as (Langfuse's SDKs name traces; there is no column
 * for it): the trace view shows the first one it finds as the trace's title.
 */
export const TRACE_NAME_PROPERTY = "trace_name";

/** The trace's totals, as the seed defines them (computed by lib/domain/trace-metrics.ts). */
export interface TraceMetrics {
  /** sum over every request's known cost, USD */
  totalCost: number;
  /** false when any request's price is unknown: totalCost is then a lower bound */
  costComplete: boolean;
  /** earliest start to latest end over all requests (not latest start) */
  totalDurationMs: number;
  /** number of requests (attempts included), as the seed defines it */
  nodeCount: number;
  /** levels, virtual ancestors included: a lone root is 1 */
  maxDepth: number;
  /** share (0..1) of requests with a 2xx status */
  successRate: number;
  /**
   * known cost of the wasted requests, USD: those that failed (status outside 2xx), that their
   * client cancelled, or that a later attempt on the same node replaced, each counted once
   * (lib/domain/wasted-spend.ts, the Dashboard's definition); a lower bound when costComplete is false
   */
  wastedCost: number;
  /**
   * wall-clock time during which at least one wasted request was running (the union of their
   * intervals): overlapping waste counts once, so it never exceeds totalDurationMs
   */
  wastedDurationMs: number;
}

export type TraceRequestDto = JsonObjectOf<typeof TRACE_REQUEST_FIELDS>;

export type TraceNodeDto = JsonObjectOf<typeof TRACE_NODE_FIELDS> & {
  /** the attempts logged under this node id, earliest first; none for a virtual node */
  requests: TraceRequestDto[];
};

/** The body of GET /api/v1/traces/{traceId}: nodes parents first, depth-first, siblings by start time. */
export interface TraceResponse {
  traceId: string;
  metrics: TraceMetrics;
  nodes: TraceNodeDto[];
}
