/**
 * An OTLP trace export after decoding, the same whichever wire format it came in (protobuf or
 * JSON): ids as lower-case hex exactly as sent (validated later, span by span, so that one bad span
 * does not sink its batch), times as epoch milliseconds, attribute values as plain JSON values.
 */
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

/** Null-prototype objects: an attribute named `__proto__` is data, never a prototype. */
export type Attributes = Record<string, AttributeValue>;

export interface OtlpEvent {
  name: string;
  /** epoch ms; NaN when missing */
  timeMs: number;
  attributes: Attributes;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  /** "" for a root span */
  parentSpanId: string;
  name: string;
  /** SpanKind enum value (0 unspecified … 5 consumer) */
  kind: number;
  /** epoch ms with sub-millisecond fraction; NaN when missing or unreadable */
  startMs: number;
  endMs: number;
  attributes: Attributes;
  events: OtlpEvent[];
  /** StatusCode enum value: 0 unset, 1 ok, 2 error */
  statusCode: number;
  statusMessage: string;
}

export interface OtlpScope {
  name: string;
  version: string;
}

export interface OtlpResourceSpans {
  resource: Attributes;
  scopeSpans: Array<{ scope: OtlpScope; spans: OtlpSpan[] }>;
}

export interface SpanRejection {
  /** the span id when it could be read, else its position in the request */
  span: string;
  reason: string;
}

export interface DecodedExport {
  resourceSpans: OtlpResourceSpans[];
  /** spans the decoder could not read at all (a JSON span of the wrong shape) */
  rejected: SpanRejection[];
}

export function emptyAttributes(): Attributes {
  return Object.create(null) as Attributes;
}
