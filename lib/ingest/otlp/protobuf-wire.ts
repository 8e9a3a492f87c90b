import { unixNanosToMs } from "./any-value";
import { emptyAttributes, type AttributeValue, type Attributes, type OtlpEvent, type OtlpResourceSpans, type OtlpScope, type OtlpSpan } from "./otlp-span";

/**
 * ExportTraceServiceRequest bytes → the decoded export, in one pass: fields are read straight into
 * spans, attribute values and hex ids, with no intermediate message objects (protobufjs built one
 * per span, attribute, value and 64-bit time: ~4.5 µs and most of the garbage of a span).
 *
 * It reads exactly as the protobufjs decoder generated from the same .proto files
 * (@opentelemetry/otlp-transformer 0.216.0) does, quirks included, so that any bytes decode to the
 * same export or fail alike: a known field is read by its declared type whatever its wire type;
 * unknown fields and groups are skipped; a repeated message field appends, a singular one is
 * replaced by its last occurrence; a string running past the end of the body is cut there (a
 * length-delimited `bytes` field throws instead); a varint is read up to 10 bytes. Every message
 * is parsed in full, also the ones this app ignores (links, scope attributes, entity refs), so
 * malformed content there still fails the request. Throws (RangeError / Error) on bytes that
 * protobufjs would throw on.
 */
export function decodeTraceExport(body: Uint8Array): OtlpResourceSpans[] {
  const reader = new WireReader(Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  const resourceSpans: OtlpResourceSpans[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1) resourceSpans.push(readResourceSpans(reader, reader.messageEnd()));
    else reader.skipType(tag & 7);
  }
  return resourceSpans;
}

// A hostile exporter can nest values thousands deep; past this the rest is summarised
// (the same limit and text as toAttributeValue's).
const MAX_NESTING = 32;
const TWO_POW_32 = 4_294_967_296;

function readResourceSpans(r: WireReader, end: number): OtlpResourceSpans {
  let resource: Attributes | null = null;
  const scopeSpans: OtlpResourceSpans["scopeSpans"] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        resource = readResource(r, r.messageEnd());
        break;
      case 2:
        scopeSpans.push(readScopeSpans(r, r.messageEnd()));
        break;
      case 3:
        r.skipString();
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  return { resource: resource ?? emptyAttributes(), scopeSpans };
}

function readResource(r: WireReader, end: number): Attributes {
  const attributes = emptyAttributes();
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        readKeyValueInto(r, r.messageEnd(), attributes, 0);
        break;
      case 2:
        r.uint32();
        break;
      case 3:
        skipEntityRef(r, r.messageEnd());
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  return attributes;
}

function skipEntityRef(r: WireReader, end: number): void {
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field >= 1 && field <= 4) r.skipString();
    else r.skipType(tag & 7);
  }
}

function readScopeSpans(r: WireReader, end: number): { scope: OtlpScope; spans: OtlpSpan[] } {
  let scope: OtlpScope | null = null;
  const spans: OtlpSpan[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        scope = readScope(r, r.messageEnd());
        break;
      case 2:
        spans.push(readSpan(r, r.messageEnd()));
        break;
      case 3:
        r.skipString();
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  return { scope: scope ?? { name: "", version: "" }, spans };
}

function readScope(r: WireReader, end: number): OtlpScope {
  let name = "";
  let version = "";
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        name = r.string();
        break;
      case 2:
        version = r.string();
        break;
      case 3:
        readKeyValueInto(r, r.messageEnd(), null, 0);
        break;
      case 4:
        r.uint32();
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  return { name, version };
}

function readSpan(r: WireReader, end: number): OtlpSpan {
  let traceId = "";
  let spanId = "";
  let parentSpanId = "";
  let name = "";
  let kind = 0;
  let startMs = Number.NaN;
  let endMs = Number.NaN;
  const attributes = emptyAttributes();
  const events: OtlpEvent[] = [];
  let statusCode = 0;
  let statusMessage = "";
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        traceId = r.hexBytes();
        break;
      case 2:
        spanId = r.hexBytes();
        break;
      case 3:
        r.skipString();
        break;
      case 4:
        parentSpanId = r.hexBytes();
        break;
      case 5:
        name = r.string();
        break;
      case 6:
        kind = r.uint32() | 0;
        break;
      case 7:
        startMs = r.fixed64NanosToMs();
        break;
      case 8:
        endMs = r.fixed64NanosToMs();
        break;
      case 9:
        readKeyValueInto(r, r.messageEnd(), attributes, 0);
        break;
      case 11:
        events.push(readEvent(r, r.messageEnd()));
        break;
      case 13:
        skipLink(r, r.messageEnd());
        break;
      case 15: {
        // A repeated status replaces the one before (absent fields back to their defaults).
        const status = readStatus(r, r.messageEnd());
        statusCode = status.code;
        statusMessage = status.message;
        break;
      }
      case 16:
        r.skip(4);
        break;
      case 10:
      case 12:
      case 14:
        r.uint32();
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  return { traceId, spanId, parentSpanId, name, kind, startMs, endMs, attributes, events, statusCode, statusMessage };
}

function readEvent(r: WireReader, end: number): OtlpEvent {
  let name = "";
  let timeMs = Number.NaN;
  const attributes = emptyAttributes();
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        timeMs = r.fixed64NanosToMs();
        break;
      case 2:
        name = r.string();
        break;
      case 3:
        readKeyValueInto(r, r.messageEnd(), attributes, 0);
        break;
      case 4:
        r.uint32();
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  return { name, timeMs, attributes };
}

function skipLink(r: WireReader, end: number): void {
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
      case 2:
        r.skipBytes();
        break;
      case 3:
        r.skipString();
        break;
      case 4:
        readKeyValueInto(r, r.messageEnd(), null, 0);
        break;
      case 5:
        r.uint32();
        break;
      case 6:
        r.skip(4);
        break;
      default:
        r.skipType(tag & 7);
    }
  }
}

function readStatus(r: WireReader, end: number): { code: number; message: string } {
  let code = 0;
  let message = "";
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 2:
        message = r.string();
        break;
      case 3:
        code = r.uint32() | 0;
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  return { code, message };
}

/**
 * One KeyValue, stored into `attributes` (when given) as keyValuesToAttributes would: an entry
 * without a key is skipped, a later duplicate wins, an absent value is null.
 */
function readKeyValueInto(r: WireReader, end: number, attributes: Attributes | null, depth: number): void {
  let key: string | null = null;
  let value: AttributeValue = null;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        key = r.string();
        break;
      case 2:
        value = readAnyValue(r, r.messageEnd(), depth);
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  if (attributes !== null && key !== null) attributes[key] = value;
}

// Which AnyValue fields were present: the first present in this order is the value, as in toAttributeValue.
const STRING = 1;
const BOOL = 2;
const INT = 4;
const DOUBLE = 8;
const ARRAY = 16;
const KVLIST = 32;
const BYTES = 64;

/** An AnyValue as toAttributeValue reads the message protobufjs decodes. */
function readAnyValue(r: WireReader, end: number, depth: number): AttributeValue {
  let present = 0;
  let text = "";
  let bool = false;
  let int = 0;
  let double = 0;
  let array: AttributeValue[] | null = null;
  let kvlist: Attributes | null = null;
  let bytes = "";
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        text = r.string();
        present |= STRING;
        break;
      case 2:
        bool = r.uint32() !== 0;
        present |= BOOL;
        break;
      case 3:
        int = r.int64ToNumber();
        present |= INT;
        break;
      case 4:
        double = r.double();
        present |= DOUBLE;
        break;
      case 5:
        array = readArrayValue(r, r.messageEnd(), depth + 1);
        present |= ARRAY;
        break;
      case 6:
        kvlist = readKeyValueList(r, r.messageEnd(), depth + 1);
        present |= KVLIST;
        break;
      case 7:
        bytes = r.base64Bytes();
        present |= BYTES;
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  if (present & STRING) return text;
  if (present & BOOL) return bool;
  if (present & INT) return Number.isFinite(int) ? int : null;
  if (present & DOUBLE) return Number.isFinite(double) ? double : null;
  if (present & (ARRAY | KVLIST)) {
    if (depth >= MAX_NESTING) return `[nested deeper than ${MAX_NESTING} levels]`;
    return present & ARRAY ? array! : kvlist!;
  }
  if (present & BYTES) return bytes;
  return null;
}

function readArrayValue(r: WireReader, end: number, depth: number): AttributeValue[] {
  const values: AttributeValue[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) values.push(readAnyValue(r, r.messageEnd(), depth));
    else r.skipType(tag & 7);
  }
  return values;
}

function readKeyValueList(r: WireReader, end: number, depth: number): Attributes {
  const attributes = emptyAttributes();
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) readKeyValueInto(r, r.messageEnd(), attributes, depth);
    else r.skipType(tag & 7);
  }
  return attributes;
}

/** protobufjs's Reader/BufferReader operations, the same reads and the same bounds checks. */
class WireReader {
  pos = 0;
  readonly len: number;

  constructor(private readonly buf: Buffer) {
    this.len = buf.length;
  }

  /** A varint as uint32. Like protobufjs, reads without bounds checks and fails after 5 bytes past the end. */
  uint32(): number {
    const buf = this.buf;
    let value = (buf[this.pos]! & 127) >>> 0;
    if (buf[this.pos++]! < 128) return value;
    value = (value | ((buf[this.pos]! & 127) << 7)) >>> 0;
    if (buf[this.pos++]! < 128) return value;
    value = (value | ((buf[this.pos]! & 127) << 14)) >>> 0;
    if (buf[this.pos++]! < 128) return value;
    value = (value | ((buf[this.pos]! & 127) << 21)) >>> 0;
    if (buf[this.pos++]! < 128) return value;
    value = (value | ((buf[this.pos]! & 15) << 28)) >>> 0;
    if (buf[this.pos++]! < 128) return value;
    if ((this.pos += 5) > this.len) {
      this.pos = this.len;
      throw this.outOfRange(10);
    }
    return value;
  }

  /** The end of a length-delimited sub-message that starts here. */
  messageEnd(): number {
    const length = this.uint32();
    return this.pos + length;
  }

  /** int64 varint → toAttributeValue's number: (high | 0) · 2³² + (low >>> 0). */
  int64ToNumber(): number {
    const { lo, hi } = this.longVarint();
    return (hi | 0) * TWO_POW_32 + (lo >>> 0);
  }

  /** fixed64 nanoseconds since the epoch → epoch ms, exactly as unixNanosToMs reads the unsigned Long. */
  fixed64NanosToMs(): number {
    if (this.pos + 8 > this.len) throw this.outOfRange(8);
    const lo = this.buf.readUInt32LE(this.pos);
    const hi = this.buf.readUInt32LE(this.pos + 4);
    this.pos += 8;
    // Below 2^62 ns (the year 2116) the rounding to microseconds is exact in doubles:
    // nanos + 500 = 1000 · (hi · 4,294,967) + (hi · 296 + lo + 500), each term below 2^53.
    if (hi < 1 << 30) {
      const micros = hi * 4_294_967 + Math.floor((hi * 296 + lo + 500) / 1000);
      const subMillis = micros % 1000;
      return (micros - subMillis) / 1000 + subMillis / 1000;
    }
    return unixNanosToMs({ low: lo | 0, high: hi | 0, unsigned: true });
  }

  double(): number {
    if (this.pos + 8 > this.len) throw this.outOfRange(4);
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  /** A string field; like BufferReader.string, one running past the end is cut at the end. */
  string(): string {
    const length = this.uint32();
    const start = this.pos;
    this.pos = Math.min(start + length, this.len);
    return this.buf.toString("utf8", start, this.pos);
  }

  skipString(): void {
    const length = this.uint32();
    this.pos = Math.min(this.pos + length, this.len);
  }

  /** A bytes field as lower-case hex; unlike a string, one running past the end throws. */
  hexBytes(): string {
    const start = this.bytesStart();
    return this.buf.toString("hex", start, this.pos);
  }

  base64Bytes(): string {
    const start = this.bytesStart();
    return this.buf.toString("base64", start, this.pos);
  }

  skipBytes(): void {
    this.bytesStart();
  }

  private bytesStart(): number {
    const length = this.uint32();
    const start = this.pos;
    if (start + length > this.len) throw this.outOfRange(length);
    this.pos += length;
    return start;
  }

  skip(length?: number): void {
    if (length !== undefined) {
      if (this.pos + length > this.len) throw this.outOfRange(length);
      this.pos += length;
      return;
    }
    do {
      if (this.pos >= this.len) throw this.outOfRange();
    } while (this.buf[this.pos++]! & 128);
  }

  skipType(wireType: number): void {
    switch (wireType) {
      case 0:
        this.skip();
        break;
      case 1:
        this.skip(8);
        break;
      case 2:
        this.skip(this.uint32());
        break;
      case 3:
        while ((wireType = this.uint32() & 7) !== 4) this.skipType(wireType);
        break;
      case 5:
        this.skip(4);
        break;
      default:
        throw new Error(`invalid wire type ${wireType} at offset ${this.pos}`);
    }
  }

  /** protobufjs's readLongVarint: the bounds it checks and the ones it does not. */
  private longVarint(): { lo: number; hi: number } {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let i = 0;
    if (this.len - this.pos > 4) {
      for (; i < 4; ++i) {
        lo = (lo | ((buf[this.pos]! & 127) << (i * 7))) >>> 0;
        if (buf[this.pos++]! < 128) return { lo, hi };
      }
      lo = (lo | ((buf[this.pos]! & 127) << 28)) >>> 0;
      hi = (hi | ((buf[this.pos]! & 127) >> 4)) >>> 0;
      if (buf[this.pos++]! < 128) return { lo, hi };
      i = 0;
    } else {
      for (; i < 3; ++i) {
        if (this.pos >= this.len) throw this.outOfRange();
        lo = (lo | ((buf[this.pos]! & 127) << (i * 7))) >>> 0;
        if (buf[this.pos++]! < 128) return { lo, hi };
      }
      lo = (lo | ((buf[this.pos++]! & 127) << (i * 7))) >>> 0;
      return { lo, hi };
    }
    if (this.len - this.pos > 4) {
      for (; i < 5; ++i) {
        hi = (hi | ((buf[this.pos]! & 127) << (i * 7 + 3))) >>> 0;
        if (buf[this.pos++]! < 128) return { lo, hi };
      }
    } else {
      for (; i < 5; ++i) {
        if (this.pos >= this.len) throw this.outOfRange();
        hi = (hi | ((buf[this.pos]! & 127) << (i * 7 + 3))) >>> 0;
        if (buf[this.pos++]! < 128) return { lo, hi };
      }
    }
    throw new Error("invalid varint encoding");
  }

  private outOfRange(length = 1): RangeError {
    return new RangeError(`index out of range: ${this.pos} + ${length} > ${this.len}`);
  }
}
