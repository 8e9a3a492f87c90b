import { emptyAttributes, type AttributeValue, type Attributes } from "./otlp-span";

/**
 * OTLP AnyValue → a plain JSON value. One reader serves both wire formats: a decoded protobuf
 * message and an OTLP/JSON object name their oneof fields alike (`stringValue`, `intValue`, …);
 * they differ only in how 64-bit integers (Long vs decimal string) and bytes (Buffer vs base64)
 * arrive. Never throws: a value of an unexpected shape becomes null.
 */
export function toAttributeValue(anyValue: unknown, depth = 0): AttributeValue {
  if (anyValue === null || typeof anyValue !== "object") return null;
  const value = anyValue as Record<string, unknown>;
  if (value.stringValue != null) return typeof value.stringValue === "string" ? value.stringValue : null;
  if (value.boolValue != null) return typeof value.boolValue === "boolean" ? value.boolValue : null;
  if (value.intValue != null) return finiteOrNull(int64ToNumber(value.intValue));
  if (value.doubleValue != null) return finiteOrNull(typeof value.doubleValue === "string" ? Number(value.doubleValue) : value.doubleValue);
  if (value.arrayValue != null || value.kvlistValue != null) {
    // A hostile exporter can nest values thousands deep; past this the rest is summarised.
    if (depth >= MAX_NESTING) return `[nested deeper than ${MAX_NESTING} levels]`;
    const values = ((value.arrayValue ?? value.kvlistValue) as { values?: unknown } | null)?.values;
    if (value.arrayValue != null) return Array.isArray(values) ? values.map((item) => toAttributeValue(item, depth + 1)) : [];
    return keyValuesToAttributes(values, depth + 1);
  }
  if (value.bytesValue != null) return bytesToBase64(value.bytesValue);
  return null;
}

const MAX_NESTING = 32;

/** A KeyValue list → attributes; later duplicates win, entries without a string key are skipped. */
export function keyValuesToAttributes(list: unknown, depth = 0): Attributes {
  const attributes = emptyAttributes();
  if (!Array.isArray(list)) return attributes;
  for (const entry of list) {
    const key = (entry as { key?: unknown } | null)?.key;
    if (typeof key === "string") attributes[key] = toAttributeValue((entry as { value?: unknown }).value, depth);
  }
  return attributes;
}

/**
 * A 64-bit integer as either format carries it: a number, a decimal string (OTLP/JSON), or a
 * protobufjs Long. NaN when it is none of these. Beyond 2^53 precision is lost, which for
 * nanosecond timestamps means about a quarter of a microsecond.
 */
export function int64ToNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string") return /^-?\d{1,20}$/.test(value) ? Number(value) : Number.NaN;
  if (value !== null && typeof value === "object" && "low" in value && "high" in value) {
    const { low, high, unsigned } = value as { low: unknown; high: unknown; unsigned?: unknown };
    if (typeof low !== "number" || typeof high !== "number") return Number.NaN;
    return (unsigned ? high >>> 0 : high | 0) * 4_294_967_296 + (low >>> 0);
  }
  return Number.NaN;
}

/**
 * Nanoseconds since the epoch (any int64 form) → epoch milliseconds, to the microsecond. Computed
 * in BigInt: a double cannot hold today's nanosecond timestamps (its step there is 256–512 ns), and
 * a span that starts at .123 ms sharp must not read as .122999936 and land a millisecond early.
 * NaN when the value is not an integer of any of those forms.
 */
export function unixNanosToMs(nanos: unknown): number {
  const exact = int64ToBigInt(nanos);
  if (exact === null) return Number.NaN;
  const micros = (exact + 500n) / 1000n;
  return Number(micros / 1000n) + Number(micros % 1000n) / 1000;
}

function int64ToBigInt(value: unknown): bigint | null {
  if (typeof value === "number") return Number.isFinite(value) ? BigInt(Math.round(value)) : null;
  if (typeof value === "string") return /^-?\d{1,20}$/.test(value) ? BigInt(value) : null;
  if (value !== null && typeof value === "object" && "low" in value && "high" in value) {
    const { low, high, unsigned } = value as { low: unknown; high: unknown; unsigned?: unknown };
    if (typeof low !== "number" || typeof high !== "number") return null;
    return (BigInt(unsigned ? high >>> 0 : high | 0) << 32n) + BigInt(low >>> 0);
  }
  return null;
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function bytesToBase64(bytes: unknown): string | null {
  if (typeof bytes === "string") return bytes;
  if (bytes instanceof Uint8Array) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  return null;
}
