import { buildTraceTree, type TraceNode, type TraceTree } from "../domain/trace-tree";
import { computeTraceMetrics, type TraceMetrics } from "../domain/trace-metrics";
import { notFound } from "../shared/api-error";
import { findTraceRows, type TraceRow } from "../storage/trace-rows";
import { parseJsonObject } from "./request-dto";

/** GET /api/v1/traces/{traceId}: the tree, its metrics, and per node the attempts and rollups. */
export async function getTraceForApi(organizationId: string, traceId: string): Promise<TraceResponseBody> {
  return traceResponse(traceId, await traceRowsOrNotFound(organizationId, traceId));
}

/**
 * The same response as UTF-8 JSON, byte for byte JSON.stringify(getTraceForApi(…)), in chunks
 * for the route to stream. Written straight from the tree's nodes and rows: for a 10,000-node
 * trace, building 20,000 response objects, then an 8.5 MB string, then its UTF-8 copy took more
 * than reading the rows and building the tree together, much of it in garbage collection (see
 * TraceJsonWriter). The tree is built before this returns: an unknown trace is a 404, never a
 * broken stream.
 */
export async function getTraceJsonForApi(organizationId: string, traceId: string): Promise<Iterable<Buffer>> {
  return traceJsonChunks(traceId, await traceRowsOrNotFound(organizationId, traceId));
}

async function traceRowsOrNotFound(organizationId: string, traceId: string): Promise<TraceRow[]> {
  const rows = await findTraceRows(organizationId, traceId);
  if (rows.length === 0) throw notFound("trace");
  return rows;
}

type TracedRow = TraceRow & { nodeId: string };

function buildTree(rows: readonly TraceRow[]): { tree: TraceTree<TracedRow>; metrics: TraceMetrics } {
  // The rows are the tree's requests as they are (a TraceRow is a TraceRequest): no wrapper each.
  const traced: TracedRow[] = [];
  for (const row of rows) if (row.nodeId !== null) traced.push(row as TracedRow);
  const tree = buildTraceTree(traced);
  return { tree, metrics: computeTraceMetrics(tree) };
}

export function traceResponse(traceId: string, rows: readonly TraceRow[]) {
  const { tree, metrics } = buildTree(rows);
  return { traceId, metrics, nodes: tree.nodes.map(traceNodeDto) };
}

export type TraceResponseBody = ReturnType<typeof traceResponse>;

// ---- the response as objects (getTraceForApi, tests) ----------------------------------------
// TraceJsonWriter.node writes the same fields in the same order: change both together (a unit
// test compares their bytes).

function traceNodeDto(node: TraceNode<TracedRow>) {
  return {
    id: node.id,
    parentId: node.parentId,
    depth: node.depth,
    virtual: node.isVirtual,
    onCriticalPath: node.onCriticalPath,
    selfLatencyMs: node.selfLatencyMs,
    subtreeLatencyMs: node.subtreeLatencyMs,
    subtreeCost: node.subtreeCostUsd,
    subtreeCostComplete: node.subtreeCostComplete,
    subtreeRequestCount: node.subtreeRequestCount,
    startTime: isoTime(node.subtreeStartMs),
    endTime: isoTime(node.subtreeEndMs),
    requests: node.requests.map(traceRequestDto),
  };
}

/** A node's request in the trace view: what a node card and its panel show; bodies via /requests/{id}. */
function traceRequestDto(row: TraceRow) {
  return {
    id: row.id,
    source: row.source,
    status: row.status,
    errorReason: row.errorReason,
    cancelled: row.cancelled,
    provider: row.provider,
    model: row.model,
    path: row.path,
    startTime: isoTime(row.startMs),
    endTime: isoTime(row.endMs),
    latencyMs: row.latencyMs,
    timeToFirstTokenMs: row.timeToFirstTokenMs,
    stream: row.stream,
    cost: row.costUsd,
    costUnknown: row.costUnknown,
    promptTokens: row.promptTokens,
    completionTokens: row.completionTokens,
    cachedTokens: row.cachedTokens,
    tokensEstimated: row.tokensEstimated,
    sessionId: row.sessionId,
    userId: row.userId,
    properties: row.properties === "{}" ? {} : parseJsonObject(row.properties),
  };
}

// ---- the response as UTF-8 JSON (getTraceJsonForApi) -------------------------------------------

/** Chunks of about this many bytes; one 10,000-node trace is ≈ 8.5 MB. */
const CHUNK_BYTES = 256 * 1024;

/** Buffer.from(JSON.stringify(traceResponse(traceId, rows))), in chunks (see getTraceJsonForApi). */
export function traceJsonChunks(traceId: string, rows: readonly TraceRow[]): Iterable<Buffer> {
  const { tree, metrics } = buildTree(rows);
  const out = new TraceJsonWriter(CHUNK_BYTES);
  return (function* chunks() {
    out.ascii('{"traceId":');
    out.string(traceId);
    out.ascii(',"metrics":');
    out.utf8(JSON.stringify(metrics));
    out.ascii(',"nodes":[');
    for (let i = 0; i < tree.nodes.length; i++) {
      if (i > 0) out.ascii(",");
      out.node(tree.nodes[i]!);
      if (out.full.length > 0) yield* out.takeFull();
    }
    out.ascii("]}");
    yield* out.takeAll();
  })();
}

/**
 * Writes JSON as UTF-8 into fixed-size buffers, with JSON.stringify's exact output: the same
 * escapes (\b \f \n \r \t, \u00XX for other controls and for lone surrogates) and numbers
 * (shortest round trip; null when not finite). No intermediate objects or strings: characters go
 * straight into the buffer, and a finished buffer is handed on while the next fills.
 */
class TraceJsonWriter {
  private buffer: Buffer;
  private at = 0;
  /** buffers filled and not yet taken */
  readonly full: Buffer[] = [];

  constructor(private readonly chunkBytes: number) {
    this.buffer = Buffer.allocUnsafe(chunkBytes);
  }

  node(node: TraceNode<TracedRow>): void {
    this.ascii('{"id":');
    this.string(node.id);
    this.ascii(',"parentId":');
    this.nullableString(node.parentId);
    this.ascii(',"depth":');
    this.number(node.depth);
    this.ascii(',"virtual":');
    this.boolean(node.isVirtual);
    this.ascii(',"onCriticalPath":');
    this.boolean(node.onCriticalPath);
    this.ascii(',"selfLatencyMs":');
    this.nullableNumber(node.selfLatencyMs);
    this.ascii(',"subtreeLatencyMs":');
    this.number(node.subtreeLatencyMs);
    this.ascii(',"subtreeCost":');
    this.number(node.subtreeCostUsd);
    this.ascii(',"subtreeCostComplete":');
    this.boolean(node.subtreeCostComplete);
    this.ascii(',"subtreeRequestCount":');
    this.number(node.subtreeRequestCount);
    this.ascii(',"startTime":');
    this.time(node.subtreeStartMs);
    this.ascii(',"endTime":');
    this.time(node.subtreeEndMs);
    this.ascii(',"requests":[');
    for (let i = 0; i < node.requests.length; i++) {
      if (i > 0) this.ascii(",");
      this.request(node.requests[i]!);
    }
    this.ascii("]}");
  }

  private request(row: TraceRow): void {
    this.ascii('{"id":');
    this.string(row.id);
    this.ascii(',"source":');
    this.string(row.source);
    this.ascii(',"status":');
    this.number(row.status);
    this.ascii(',"errorReason":');
    this.nullableString(row.errorReason);
    this.ascii(',"cancelled":');
    this.boolean(row.cancelled);
    this.ascii(',"provider":');
    this.string(row.provider);
    this.ascii(',"model":');
    this.nullableString(row.model);
    this.ascii(',"path":');
    this.string(row.path);
    this.ascii(',"startTime":');
    this.time(row.startMs);
    this.ascii(',"endTime":');
    this.time(row.endMs);
    this.ascii(',"latencyMs":');
    this.number(row.latencyMs);
    this.ascii(',"timeToFirstTokenMs":');
    this.nullableNumber(row.timeToFirstTokenMs);
    this.ascii(',"stream":');
    this.boolean(row.stream);
    this.ascii(',"cost":');
    this.nullableNumber(row.costUsd);
    this.ascii(',"costUnknown":');
    this.boolean(row.costUnknown);
    this.ascii(',"promptTokens":');
    this.nullableNumber(row.promptTokens);
    this.ascii(',"completionTokens":');
    this.nullableNumber(row.completionTokens);
    this.ascii(',"cachedTokens":');
    this.nullableNumber(row.cachedTokens);
    this.ascii(',"tokensEstimated":');
    this.boolean(row.tokensEstimated);
    this.ascii(',"sessionId":');
    this.nullableString(row.sessionId);
    this.ascii(',"userId":');
    this.nullableString(row.userId);
    this.ascii(',"properties":');
    if (row.properties === "{}") this.ascii("{}");
    else this.utf8(JSON.stringify(parseJsonObject(row.properties)));
    this.ascii("}");
  }

  /** Room for `bytes` more; a buffer without it is handed on as it is. */
  private reserve(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    if (this.at > 0) this.full.push(this.buffer.subarray(0, this.at));
    this.buffer = Buffer.allocUnsafe(Math.max(this.chunkBytes, bytes));
    this.at = 0;
  }

  /** Text that is already JSON and only ASCII (keys, punctuation, ISO times). */
  ascii(text: string): void {
    this.reserve(text.length);
    const buffer = this.buffer;
    let at = this.at;
    for (let i = 0; i < text.length; i++) buffer[at++] = text.charCodeAt(i);
    this.at = at;
  }

  /** Text that is already JSON (and well-formed UTF-16, as JSON.stringify's output is). */
  utf8(text: string): void {
    this.reserve(text.length * 3);
    this.at += this.buffer.write(text, this.at, "utf8");
  }

  boolean(value: boolean): void {
    this.ascii(value ? "true" : "false");
  }

  nullableNumber(value: number | null): void {
    if (value === null) this.ascii("null");
    else this.number(value);
  }

  number(value: number): void {
    if (Number.isSafeInteger(value)) this.integer(value);
    else this.ascii(Number.isFinite(value) ? String(value) : "null");
  }

  /** `"${isoTime(ms)}"`, written without making a string for the usual times. */
  time(ms: number): void {
    if (!isPlainTime(ms)) {
      this.ascii(`"${isoTime(ms)}"`);
      return;
    }
    const prefix = minutePrefix(ms);
    const withinMinute = ms - cachedMinute * 60000;
    this.reserve(prefix.length + 9);
    const buffer = this.buffer;
    let at = this.at;
    buffer[at++] = 34; // "
    for (let i = 0; i < prefix.length; i++) buffer[at++] = prefix.charCodeAt(i);
    const seconds = Math.floor(withinMinute / 1000);
    const millis = withinMinute - seconds * 1000;
    buffer[at++] = 48 + Math.floor(seconds / 10);
    buffer[at++] = 48 + (seconds % 10);
    buffer[at++] = 46; // .
    buffer[at++] = 48 + Math.floor(millis / 100);
    buffer[at++] = 48 + (Math.floor(millis / 10) % 10);
    buffer[at++] = 48 + (millis % 10);
    buffer[at++] = 90; // Z
    buffer[at++] = 34;
    this.at = at;
  }

  /** A safe integer's digits, written without making a string (-0 is "0", as in JSON). */
  private integer(value: number): void {
    this.reserve(17);
    const buffer = this.buffer;
    let at = this.at;
    let rest = value;
    if (rest < 0) {
      buffer[at++] = 45; // -
      rest = -rest;
    }
    let digits = 1;
    for (let scale = 10; scale <= rest; scale *= 10) digits++;
    at += digits;
    for (let i = 1; i <= digits; i++) {
      buffer[at - i] = 48 + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    this.at = at;
  }

  nullableString(value: string | null): void {
    if (value === null) this.ascii("null");
    else this.string(value);
  }

  /** A JSON string literal, escaped exactly as JSON.stringify escapes it. */
  string(value: string): void {
    // worst case 6 bytes a UTF-16 unit (\u00XX, \udXXX), plus the quotes
    this.reserve(value.length * 6 + 2);
    const buffer = this.buffer;
    let at = this.at;
    buffer[at++] = 34; // "
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c !== 34 && c !== 92) {
          buffer[at++] = c;
          continue;
        }
        buffer[at++] = 92; // \
        const short = SHORT_ESCAPES[c];
        if (short !== undefined) buffer[at++] = short;
        else at = writeUnicodeEscape(buffer, at, c);
      } else if (c < 0x800) {
        buffer[at++] = 0xc0 | (c >> 6);
        buffer[at++] = 0x80 | (c & 0x3f);
      } else if (c < 0xd800 || c > 0xdfff) {
        buffer[at++] = 0xe0 | (c >> 12);
        buffer[at++] = 0x80 | ((c >> 6) & 0x3f);
        buffer[at++] = 0x80 | (c & 0x3f);
      } else {
        const next = i + 1 < value.length ? value.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          const point = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          buffer[at++] = 0xf0 | (point >> 18);
          buffer[at++] = 0x80 | ((point >> 12) & 0x3f);
          buffer[at++] = 0x80 | ((point >> 6) & 0x3f);
          buffer[at++] = 0x80 | (point & 0x3f);
          i++;
        } else {
          buffer[at++] = 92; // a lone surrogate: \udXXX, as JSON.stringify writes it
          at = writeUnicodeEscape(buffer, at, c);
        }
      }
    }
    buffer[at++] = 34;
    this.at = at;
  }

  /** The filled buffers, once each. */
  *takeFull(): Generator<Buffer> {
    while (this.full.length > 0) yield this.full.shift()!;
  }

  /** Every buffer, the one being filled last. */
  *takeAll(): Generator<Buffer> {
    yield* this.takeFull();
    if (this.at > 0) yield this.buffer.subarray(0, this.at);
    this.buffer = Buffer.alloc(0);
    this.at = 0;
  }
}

// " \ and the controls with a short form; by character code
const SHORT_ESCAPES: (number | undefined)[] = [];
SHORT_ESCAPES[34] = 34;
SHORT_ESCAPES[92] = 92;
SHORT_ESCAPES[8] = 98; // b
SHORT_ESCAPES[12] = 102; // f
SHORT_ESCAPES[10] = 110; // n
SHORT_ESCAPES[13] = 114; // r
SHORT_ESCAPES[9] = 116; // t

const HEX = "0123456789abcdef";

/** "uXXXX" (the backslash is already written), lower-case hex as JSON.stringify writes it. */
function writeUnicodeEscape(buffer: Buffer, at: number, code: number): number {
  buffer[at++] = 117; // u
  buffer[at++] = HEX.charCodeAt((code >> 12) & 0xf);
  buffer[at++] = HEX.charCodeAt((code >> 8) & 0xf);
  buffer[at++] = HEX.charCodeAt((code >> 4) & 0xf);
  buffer[at++] = HEX.charCodeAt(code & 0xf);
  return at;
}

// The minute's "YYYY-MM-DDTHH:MM:" is formatted once and reused: a trace's times mostly share a
// few minutes, and `new Date(ms).toISOString()` for each of 40,000 times cost ≈ 17 ms (more
// under Next, which wraps the Date constructor).
let cachedMinute = Number.NaN;
let cachedMinutePrefix = "";

/** Whole milliseconds in years 1970–9999: the times isoTime formats itself. */
function isPlainTime(ms: number): boolean {
  return ms >= 0 && ms < 253402300800000 && Number.isInteger(ms);
}

/** "YYYY-MM-DDTHH:MM:" of a plain time's minute (which becomes cachedMinute). */
function minutePrefix(ms: number): string {
  const minute = Math.floor(ms / 60000);
  if (minute !== cachedMinute) {
    cachedMinutePrefix = new Date(minute * 60000).toISOString().slice(0, 17);
    cachedMinute = minute;
  }
  return cachedMinutePrefix;
}

/** `new Date(ms).toISOString()`, faster for the whole milliseconds of years 1970–9999. */
export function isoTime(ms: number): string {
  if (!isPlainTime(ms)) return new Date(ms).toISOString();
  const prefix = minutePrefix(ms);
  const withinMinute = ms - cachedMinute * 60000;
  const seconds = Math.floor(withinMinute / 1000);
  const millis = withinMinute - seconds * 1000;
  return `${prefix}${seconds < 10 ? "0" : ""}${seconds}.${millis < 100 ? (millis < 10 ? "00" : "0") : ""}${millis}Z`;
}
