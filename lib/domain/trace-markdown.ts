import { TRACE_NAME_PROPERTY, type TraceNodeDto, type TraceRequestDto, type TraceResponse } from "../contracts/trace";
import type { ExchangeText } from "./exchange-text";
import { NODE_ID_SEPARATOR } from "./node-id";
import { isSuccessStatus } from "./request-status";

export interface TraceMarkdownOptions {
  /** longer prompts and answers keep their first this many characters, then a marker says how much was cut */
  maxTextChars?: number;
}

/** Enough for most prompts to survive whole, short enough that a 50-node trace still fits an LLM's context. */
export const DEFAULT_MAX_TEXT_CHARS = 2000;

/**
 * A trace as compact Markdown, for pasting into an issue or an LLM. The first line starts with
 * the trace id; then the totals, an outline of the tree (one line a node: model, status, latency,
 * cost; virtual nodes say they were not logged), and each request in tree order with its prompt
 * and answer as text. Texts longer than `maxTextChars` are cut, and the cut says how many
 * characters it left out. Content goes in fenced blocks whose fence is longer than any run of
 * backticks in it, so a prompt can never close its block. O(n + text).
 */
export function traceToMarkdown(
  trace: TraceResponse,
  contentOf: (requestId: string) => ExchangeText | undefined,
  { maxTextChars = DEFAULT_MAX_TEXT_CHARS }: TraceMarkdownOptions = {},
): string {
  const { metrics } = trace;
  const name = traceName(trace.nodes);
  const lines: string[] = [
    `${trace.traceId} · trace${name ? ` "${name}"` : ""}`,
    "",
    [
      `cost ${usd(metrics.totalCost)}${metrics.costComplete ? "" : " (some prices unknown: a lower bound)"}`,
      `duration ${duration(metrics.totalDurationMs)}`,
      `${count(metrics.nodeCount, "request")}`,
      `${count(metrics.maxDepth, "level")}`,
      `${percent(metrics.successRate)} succeeded`,
      // failed, cancelled and replaced attempts (lib/domain/wasted-spend.ts)
      `wasted ${usd(metrics.wastedCost)} over ${duration(metrics.wastedDurationMs)}`,
    ].join(" · "),
    "",
    "## Tree",
    "",
  ];
  for (const node of trace.nodes) lines.push(`${"  ".repeat(node.depth - 1)}- ${outlineLine(node)}`);

  const requests = trace.nodes.flatMap((node) => node.requests.map((request, index) => ({ node, request, index })));
  if (requests.length > 0) lines.push("", "## Requests");
  for (const { node, request, index } of requests) {
    const attempt = node.requests.length > 1 ? ` · attempt ${index + 1} of ${node.requests.length}` : "";
    lines.push("", `### ${labelOf(node)}${attempt}`, `\`${node.id}\` · ${requestSummary(request)}`);
    if (request.errorReason) lines.push("", `error: ${oneLine(request.errorReason)}`);
    const content = contentOf(request.id);
    for (const [title, text] of [
      ["Prompt", content?.prompt],
      ["Answer", content?.answer],
    ] as const) {
      if (text) lines.push("", `${title}:`, ...fenced(cut(text, maxTextChars)));
    }
  }
  return `${lines.join("\n")}\n`;
}

function outlineLine(node: TraceNodeDto): string {
  const last = node.requests.at(-1);
  if (!last) return `${labelOf(node)} · not logged (virtual)`;
  let cost = 0;
  let costUnknown = false;
  for (const request of node.requests) {
    cost += request.cost ?? 0;
    costUnknown ||= request.costUnknown;
  }
  const parts = [labelOf(node), last.model ?? last.provider, statusText(last), duration(node.selfLatencyMs ?? last.latencyMs), costUnknown ? "cost unknown" : usd(cost)];
  if (node.requests.length > 1) parts.push(`${node.requests.length} attempts`);
  return parts.join(" · ");
}

function requestSummary(request: TraceRequestDto): string {
  const tokens =
    request.promptTokens === null && request.completionTokens === null
      ? null
      : `${request.promptTokens ?? "?"} → ${request.completionTokens ?? "?"} tokens${request.tokensEstimated ? " (estimated)" : ""}`;
  return [
    request.model ? `${request.model} (${request.provider})` : request.provider,
    statusText(request),
    duration(request.latencyMs),
    request.costUnknown ? "cost unknown" : usd(request.cost ?? 0),
    tokens,
    request.timeToFirstTokenMs === null ? null : `first token after ${duration(request.timeToFirstTokenMs)}`,
  ]
    .filter((part) => part !== null)
    .join(" · ");
}

/** What the node is: its path's last segment; for an OTLP span (a random span id), its span name. */
function labelOf(node: TraceNodeDto): string {
  const segment = node.id.slice(node.id.lastIndexOf(NODE_ID_SEPARATOR) + 1);
  const first = node.requests[0];
  return oneLine(first?.source === "otel" && !node.id.includes(NODE_ID_SEPARATOR) && first.path ? first.path : segment);
}

function statusText(request: TraceRequestDto): string {
  if (request.cancelled) return `cancelled (status ${request.status})`;
  return isSuccessStatus(request.status) && request.errorReason === null ? `ok ${request.status}` : `failed ${request.status}`;
}

function traceName(nodes: readonly TraceNodeDto[]): string | null {
  for (const node of nodes) for (const request of node.requests) if (request.properties[TRACE_NAME_PROPERTY]) return oneLine(request.properties[TRACE_NAME_PROPERTY]);
  return null;
}

/** The first `max` characters and a marker naming what was left out; a surrogate pair is never split. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}\n[… cut: ${text.length - end} more characters]`;
}

function fenced(text: string): string[] {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longestRun + 1));
  return [`${fence}text`, text, fence];
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function percent(share: number): string {
  return `${Number((share * 100).toFixed(1))} %`;
}

/** Exact to the stored precision (a cheap call costs $0.0000015): no rounding a reader must undo. */
function usd(cost: number): string {
  return `$${cost.toFixed(12).replace(/\.?0+$/, "")}`;
}

function duration(ms: number): string {
  if (ms < 1000) return `${Number(ms.toFixed(1))} ms`;
  return `${Number((ms / 1000).toFixed(2))} s`;
}
