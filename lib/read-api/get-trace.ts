import {
  TRACE_NODE_FIELDS,
  TRACE_REQUEST_FIELDS,
  type ServerObjectOf,
  type ServerValue,
  type TraceField,
  type TraceFieldKind,
  type TraceMetrics,
} from "../contracts/trace";
import { buildTraceTree, type TraceTree } from "../domain/trace-tree";
import { computeTraceMetrics } from "../domain/trace-metrics";
import { notFound } from "../shared/api-error";
import { findTraceRows, type TraceRow } from "../storage/trace-rows";
import { parseJsonObject } from "./request-dto";

/**
 * GET /api/v1/traces/{traceId}: the tree, its metrics, and per node the attempts and rollups
 * (TraceResponse, lib/contracts/trace.ts), as UTF-8 JSON in chunks for the route to stream.
 * Written straight from the tree's nodes and rows: for a 10,000-node trace, building 20,000
 * response objects, then an 8.5 MB string, then its UTF-8 copy took more than reading the rows
 * and building the tree together, much of it in garbage collection (see TraceJsonWriter). The
 * tree is built before this returns: an unknown trace is a 404, never a broken stream.
 */
export async function getTraceJsonForApi(organizationId: string, traceId: string): Promise<Iterable<Buffer>> {
  const rows = await findTraceRows(organizationId, traceId);
  if (rows.length === 0) throw notFound("trace");
  return traceJsonChunks(traceId, rows);
}

export type TracedRow = TraceRow & { nodeId: string };

/** A trace's tree and metrics from its rows: what the trace API writes and the compare endpoint compares. */
export function buildTree(rows: readonly TraceRow[]): { tree: TraceTree<TracedRow>; metrics: TraceMetrics } {
  // The rows are the tree's requests as they are (a TraceRow is a TraceRequest): no wrapper each.
  const traced: TracedRow[] = [];
  for (const row of rows) if (row.nodeId !== null) traced.push(row as TracedRow);
  const tree = buildTraceTree(traced);
  return { tree, metrics: computeTraceMetrics(tree) };
}

/** Chunks of about this many bytes; one 10,000-node trace is ≈ 8.5 MB. */
const CHUNK_BYTES = 256 * 1024;

/**
 * The response for these rows as JSON, in chunks: exactly the bytes JSON.stringify writes for the
 * response as objects, keys in the order of the field tables.
 */
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
      writeNode(out, tree.nodes[i]!);
      if (out.full.length > 0) yield* out.takeFull();
    }
    out.ascii("]}");
    yield* out.takeAll();
  })();
}

type NodeSource = ServerObjectOf<typeof TRACE_NODE_FIELDS> & { requests: readonly TraceRow[] };

/** A node and its requests: the node table's fields, then `requests` (the tree's nodes fit NodeSource). */
function writeNode(out: TraceJsonWriter, node: NodeSource): void {
  writeNodeFields(out, node);
  out.ascii(',"requests":[');
  const requests = node.requests;
  for (let i = 0; i < requests.length; i++) {
    if (i > 0) out.ascii(",");
    writeRequestFields(out, requests[i]!);
    out.ascii("}");
  }
  out.ascii("]}");
}

const writeNodeFields = fieldsWriter<NodeSource>(TRACE_NODE_FIELDS);
const writeRequestFields = fieldsWriter<TraceRow>(TRACE_REQUEST_FIELDS);

/**
 * A function writing `{"name":value,…` for a table's fields (without the closing brace), each
 * value with the writer's method named as its kind (KindWriters).
 *
 * Generated once from the table, because what it generates is the code a hand-written writer
 * would be: per field one named property read and one call, each always the same. A loop over
 * the table, reading `value[field.from]` and calling `out[field.kind]` at one site for every
 * field, cost ≈ 15 ms more CPU for a 10,000-node trace (≈ 90 against 75 ms with the tree,
 * interleaved runs); the generated writer measured the same as the hand-written one it replaces.
 * The source is built from the constant tables alone, never from data.
 */
function fieldsWriter<T>(fields: readonly TraceField[]): (out: TraceJsonWriter, value: T) => void {
  const steps = fields.map((field, i) => {
    const key = `${i === 0 ? "{" : ","}${JSON.stringify(field.name)}:`;
    return `out.ascii(${JSON.stringify(key)});\nout.${field.kind}(value[${JSON.stringify(field.from)}]);`;
  });
  return new Function("out", "value", steps.join("\n")) as (out: TraceJsonWriter, value: T) => void;
}

/** A method per kind of field, writing a value as that kind travels in the JSON. */
type KindWriters = { [K in TraceFieldKind]: (value: ServerValue<K>) => void };

/**
 * Writes JSON as UTF-8 into fixed-size buffers, with JSON.stringify's exact output: the same
 * escapes (\b \f \n \r \t, \u00XX for other controls and for lone surrogates) and numbers
 * (shortest round trip; null when not finite). No intermediate objects or strings: characters go
 * straight into the buffer, and a finished buffer is handed on while the next fills.
 */
class TraceJsonWriter implements KindWriters {
  private buffer: Buffer;
  private at = 0;
  /** buffers filled and not yet taken */
  readonly full: Buffer[] = [];

  constructor(private readonly chunkBytes: number) {
    this.buffer = Buffer.allocUnsafe(chunkBytes);
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

  /** Stored JSON object text as the object it holds ({} for anything else). */
  jsonObject(text: string): void {
    if (text === "{}") this.ascii("{}");
    else this.utf8(JSON.stringify(parseJsonObject(text)));
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
