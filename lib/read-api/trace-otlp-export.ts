import { createHash } from "node:crypto";
import { SPAN_KIND_NAMES, STATUS_CODE_ERROR, TRACEWELL_ATTRIBUTES as TW } from "../contracts/otlp-export";
import { NODE_ID_SEPARATOR } from "../domain/node-id";
import { isSuccessStatus } from "../domain/request-status";
import { buildTraceTree, type TraceNode, type TraceRequest } from "../domain/trace-tree";
import type { TraceExportRow } from "../storage/trace-export-rows";
import { parseJsonObject } from "./request-dto";

/**
 * A trace as an OTLP/JSON ExportTraceServiceRequest that POST /v1/traces turns back into the same
 * requests, in any organization of any instance: the inverse of lib/ingest/otlp/span-to-record.ts,
 * attribute by attribute (names in lib/contracts/otlp-export.ts). One span per logged request,
 * parents before children and each node's attempts earliest first, so that ids made in that
 * order at import break ties between attempts the same way.
 *
 * Where a node sits:
 * - A node logged by its span ids (OTLP without a Helicone path) keeps them: trace id, span id =
 *   node id, parent span id = parent node id, exactly as received.
 * - A node with a Helicone path (`trace:a:b`) is placed by `helicone.node_id`, which is all
 *   ingest reads. Its span and trace ids are derived (a trace id that is 32 hex digits is kept),
 *   and parent span ids link each span to its parent's last attempt, so that any OTLP viewer
 *   draws the same tree; a parent never logged gets a span marked `tracewell.virtual`, which
 *   ingest skips (the path brings the node back as virtual).
 */
export function traceToOtlpExport(traceId: string, rows: readonly TraceExportRow[]) {
  const requests = rows.filter((row): row is TraceExportRow & { nodeId: string } => row.nodeId !== null).map(asTraceRequest);
  const tree = buildTraceTree(requests);
  const otlpTraceId = isSpanId(traceId, 32) ? traceId : derivedId(traceId, 32);
  const spanIdOf = (request: ExportedRequest) => (isHeliconePath(traceId, request.nodeId) ? derivedId(`request\u0000${request.id}`, 16) : request.nodeId);
  /** What a child names as its parent span: the parent's last attempt, or its virtual span. */
  const nodeSpanId = (node: TraceNode<ExportedRequest>) =>
    node.requests.length > 0 ? spanIdOf(node.requests.at(-1)!) : isHeliconePath(traceId, node.id) ? derivedId(`node\u0000${node.id}`, 16) : node.id;

  const spans: OtlpJsonSpan[] = [];
  for (const node of tree.nodes) {
    const byPath = isHeliconePath(traceId, node.id);
    const parent = node.parentId === null ? undefined : tree.byId.get(node.parentId);
    if (node.isVirtual && byPath) {
      spans.push({
        traceId: otlpTraceId,
        spanId: nodeSpanId(node),
        parentSpanId: parent ? nodeSpanId(parent) : "",
        name: node.id.slice(node.id.lastIndexOf(NODE_ID_SEPARATOR) + 1),
        kind: SPAN_KIND_INTERNAL,
        startTimeUnixNano: msToUnixNanos(node.subtreeStartMs),
        endTimeUnixNano: msToUnixNanos(node.subtreeEndMs),
        attributes: keyValues([
          ["helicone.node_id", node.id],
          [TW.virtual, true],
        ]),
      });
      continue;
    }
    for (const request of node.requests) {
      spans.push(
        requestSpan(request, {
          traceId: byPath ? otlpTraceId : traceId,
          spanId: spanIdOf(request),
          // A span's own parent, as received (it may differ from the tree's when a loop was cut).
          parentSpanId: byPath ? (parent ? nodeSpanId(parent) : "") : (request.parentNodeId ?? ""),
          heliconeNodeId: byPath ? node.id : null,
        }),
      );
    }
  }
  return {
    resourceSpans: [
      {
        resource: { attributes: keyValues([["service.name", "tracewell"]]) },
        scopeSpans: [{ scope: { name: "tracewell.trace-export", version: "1" }, spans }],
      },
    ],
  };
}

export type OtlpJsonExport = ReturnType<typeof traceToOtlpExport>;

interface ExportedRequest extends TraceRequest {
  row: TraceExportRow;
}

function asTraceRequest(row: TraceExportRow & { nodeId: string }): ExportedRequest {
  return {
    id: row.id,
    nodeId: row.nodeId,
    parentNodeId: row.parentNodeId,
    status: row.status,
    startMs: row.startTime.getTime(),
    endMs: row.endTime.getTime(),
    costUsd: row.costUsd,
    costUnknown: row.costUnknown,
    cancelled: row.cancelled,
    row,
  };
}

const SPAN_KIND_INTERNAL = SPAN_KIND_NAMES.indexOf("INTERNAL");
const SPAN_KIND_CLIENT = SPAN_KIND_NAMES.indexOf("CLIENT");

interface Placement {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  heliconeNodeId: string | null;
}

/** One logged request as a span that ingest reads back into the same record. */
function requestSpan({ row }: ExportedRequest, placement: Placement): OtlpJsonSpan {
  const attributes: Attribute[] = [];
  const add = (key: string, value: AttributeScalar | null | undefined) => {
    if (value !== null && value !== undefined) attributes.push([key, value]);
  };
  add("helicone.node_id", placement.heliconeNodeId);
  add(TW.source, row.source);
  add("gen_ai.provider.name", row.provider);
  add("gen_ai.system", row.provider);
  add("gen_ai.request.model", row.model);
  // The method column holds an HTTP method for proxied and custom-logged requests, else the node's kind.
  const kind = row.source === "otel" ? (SPAN_KIND_NAMES as readonly string[]).indexOf(row.method) : SPAN_KIND_CLIENT;
  if (row.source !== "otel") add("http.request.method", row.method);
  else if (kind === -1) add("langfuse.observation.type", row.method);
  add("http.response.status_code", integer(row.status));
  add("gen_ai.usage.input_tokens", integer(row.promptTokens));
  add("gen_ai.usage.output_tokens", integer(row.completionTokens));
  add("gen_ai.usage.cache_read.input_tokens", integer(row.cachedTokens));
  add("gen_ai.usage.total_tokens", integer(row.totalTokens));
  add(TW.tokensEstimated, row.tokensEstimated);
  // An unknown price is left to the importing instance's table, which may know it.
  add(TW.costUsd, row.costUnknown ? null : row.costUsd);
  add(TW.latencyMs, row.latencyMs);
  add(TW.timeToFirstTokenMs, row.timeToFirstTokenMs);
  if (row.stream) add("llm.is_streaming", true);
  if (row.cancelled) add(TW.cancelled, true);
  add("gen_ai.conversation.id", row.sessionId);
  add("helicone.session.name", row.sessionName);
  add("user.id", row.userId);
  for (const [key, value] of Object.entries(parseJsonObject(row.properties))) add(`helicone.property.${key}`, value);
  attributes.push([TW.requestBody, row.requestBody], [TW.responseBody, row.responseBody]);

  const failed = row.errorReason !== null || !isSuccessStatus(row.status);
  return {
    traceId: placement.traceId,
    spanId: placement.spanId,
    parentSpanId: placement.parentSpanId,
    name: row.path,
    kind: kind === -1 ? SPAN_KIND_INTERNAL : kind,
    startTimeUnixNano: msToUnixNanos(row.startTime.getTime()),
    endTimeUnixNano: msToUnixNanos(row.endTime.getTime()),
    attributes: keyValues(attributes),
    ...(failed ? { status: { code: STATUS_CODE_ERROR, message: row.errorReason ?? "" } } : {}),
  };
}

interface OtlpJsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValue[];
  status?: { code: number; message: string };
}

/** An int64 attribute: OTLP/JSON writes it as a decimal string. */
class Int64 {
  constructor(readonly value: number) {}
}

type AttributeScalar = string | number | boolean | Int64;
type Attribute = [key: string, value: AttributeScalar | null];
interface KeyValue {
  key: string;
  value: { stringValue: string } | { boolValue: boolean } | { intValue: string } | { doubleValue: number } | Record<string, never>;
}

function integer(value: number | null): Int64 | null {
  return value === null ? null : new Int64(value);
}

/** null is the empty AnyValue: the key is there, with no value (a body that was not logged). */
function keyValues(attributes: readonly Attribute[]): KeyValue[] {
  return attributes.map(([key, value]) => ({ key, value: anyValue(value) }));
}

function anyValue(value: AttributeScalar | null): KeyValue["value"] {
  if (value === null) return {};
  if (value instanceof Int64) return { intValue: String(value.value) };
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  return { doubleValue: value };
}

/** Stored times are whole milliseconds: exact in nanoseconds. */
function msToUnixNanos(ms: number): string {
  return (BigInt(Math.round(ms)) * 1_000_000n).toString();
}

/** A Helicone path names its trace as its first segment; an OTLP span id never does. */
function isHeliconePath(traceId: string, nodeId: string): boolean {
  return nodeId === traceId || nodeId.startsWith(traceId + NODE_ID_SEPARATOR);
}

function isSpanId(id: string, hexDigits: 16 | 32): boolean {
  return id.length === hexDigits && /^[0-9a-f]+$/.test(id) && !/^0+$/.test(id);
}

/** A stable id of the size OTLP wants, for what has none of its own. */
function derivedId(text: string, hexDigits: 16 | 32): string {
  const id = createHash("sha256").update(text).digest("hex").slice(0, hexDigits);
  return isSpanId(id, hexDigits) ? id : `${id.slice(0, -1)}1`;
}
