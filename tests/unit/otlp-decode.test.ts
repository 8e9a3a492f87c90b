import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ApiError } from "@/lib/shared/api-error";
import { int64ToNumber, keyValuesToAttributes, unixNanosToMs } from "@/lib/ingest/otlp/any-value";
import { decodeJsonExport } from "@/lib/ingest/otlp/otlp-json";
import { decodeProtobufExport } from "@/lib/ingest/otlp/otlp-protobuf";
import { jsonExportRequest, msToNanos, protobufExportRequest, type TestSpan } from "../helpers/otlp-requests";

const span: TestSpan = {
  traceId: "5b8efff798038103d269b633813fc60c",
  spanId: "eee19b7ec3c1b174",
  parentSpanId: "eee19b7ec3c1b173",
  name: "chat gpt-4o-mini",
  kind: 3,
  startMs: 1_767_225_600_123.456789,
  endMs: 1_767_225_600_623.5,
  attributes: { "gen_ai.system": "openai", "gen_ai.usage.input_tokens": 42, temperature: 0.2, stream: false, tags: ["a", "b"] },
  events: [{ name: "gen_ai.content.prompt", timeMs: 1_767_225_600_200, attributes: { "gen_ai.prompt": "[]" } }],
  status: { code: 2, message: "rate limited" },
};

const jsonBody = (value: unknown) => Buffer.from(JSON.stringify(value));

describe("OTLP decoding", () => {
  it("reads a protobuf export into hex ids, millisecond times and plain attribute values", () => {
    const decoded = decodeProtobufExport(protobufExportRequest([span], { "service.name": "agent" }));
    expect(decoded.rejected).toEqual([]);
    expect({ ...decoded.resourceSpans[0]!.resource }).toEqual({ "service.name": "agent" });
    const read = decoded.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(read).toMatchObject({
      traceId: span.traceId,
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      name: span.name,
      kind: 3,
      statusCode: 2,
      statusMessage: "rate limited",
    });
    expect(read.startMs).toBeCloseTo(span.startMs, 3);
    expect(read.endMs - read.startMs).toBeCloseTo(500.043211, 3);
    expect({ ...read.attributes }).toEqual({ "gen_ai.system": "openai", "gen_ai.usage.input_tokens": 42, temperature: 0.2, stream: false, tags: ["a", "b"] });
    expect(read.events[0]).toMatchObject({ name: "gen_ai.content.prompt", timeMs: 1_767_225_600_200 });
  });

  it("reads the same export sent as OTLP/JSON into exactly what protobuf gives", () => {
    const fromJson = decodeJsonExport(jsonBody(jsonExportRequest([span])));
    const fromProtobuf = decodeProtobufExport(protobufExportRequest([span]));
    expect(fromJson).toEqual(fromProtobuf);
  });

  it("accepts upper-case hex ids and numbers for nanosecond times in JSON, as the spec allows", () => {
    const request = jsonExportRequest([span]);
    const raw = request.resourceSpans[0]!.scopeSpans[0]!.spans[0]! as Record<string, unknown>;
    raw.traceId = span.traceId.toUpperCase();
    raw.startTimeUnixNano = 1_767_225_600_000_000_000;
    const read = decodeJsonExport(jsonBody(request)).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(read.traceId).toBe(span.traceId);
    expect(read.startMs).toBe(1_767_225_600_000);
  });

  it("rejects a JSON span of the wrong shape on its own and keeps its neighbours", () => {
    const request = jsonExportRequest([span, { ...span, spanId: "eee19b7ec3c1b175" }]);
    (request.resourceSpans[0]!.scopeSpans[0]!.spans[0]! as Record<string, unknown>).traceId = 12;
    const decoded = decodeJsonExport(jsonBody(request));
    expect(decoded.rejected).toEqual([{ span: "#1", reason: expect.stringContaining("traceId") }]);
    expect(decoded.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => s.spanId)).toEqual(["eee19b7ec3c1b175"]);
  });

  it.each([
    ["not JSON", Buffer.from("{resourceSpans:")],
    ["not an export request", jsonBody({ resourceSpans: "all of them" })],
    ["a bare array", jsonBody([])],
  ])("answers 400 for a JSON body that is %s", (_, body) => {
    expect(() => decodeJsonExport(body)).toThrow(expect.objectContaining({ status: 400 }) as unknown as ApiError);
  });

  it("treats an empty JSON object as an export with no spans (the spec: empty requests succeed)", () => {
    expect(decodeJsonExport(jsonBody({}))).toEqual({ resourceSpans: [], rejected: [] });
  });

  it("throws on truncated protobuf", () => {
    const bytes = protobufExportRequest([span]);
    expect(() => decodeProtobufExport(bytes.subarray(0, bytes.length - 7))).toThrow();
  });

  it("keeps a span whose strings are not valid UTF-8, with U+FFFD in place of the bad bytes", () => {
    // protobufjs-based OpenTelemetry JS exporters write a lone surrogate (an emoji cut in half) as
    // ED A0 BD, which is not UTF-8: one such character must not cost the whole export.
    const bytes = Buffer.from(protobufExportRequest([{ ...span, attributes: { "gen_ai.completion.0.content": "cut ###" } }]));
    bytes.set([0xed, 0xa0, 0xbd], bytes.indexOf("###"));
    const read = decodeProtobufExport(bytes).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(read.attributes["gen_ai.completion.0.content"]).toBe("cut \ufffd\ufffd\ufffd");
  });

  it("span and trace ids of any bytes round-trip through protobuf and JSON as lower-case hex", () => {
    const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length }).map((b) => Buffer.from(b).toString("hex"));
    fc.assert(
      fc.property(bytes(16), bytes(8), bytes(8), fc.boolean(), (traceId, spanId, parentSpanId, upperCase) => {
        const sent = { ...span, traceId, spanId, parentSpanId };
        const viaProtobuf = decodeProtobufExport(protobufExportRequest([sent])).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
        const json = jsonExportRequest([upperCase ? { ...sent, traceId: traceId.toUpperCase(), spanId: spanId.toUpperCase() } : sent]);
        const viaJson = decodeJsonExport(jsonBody(json)).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
        for (const read of [viaProtobuf, viaJson]) {
          expect([read.traceId, read.spanId, read.parentSpanId]).toEqual([traceId, spanId, parentSpanId]);
        }
      }),
    );
  });

  it("nanosecond timestamps keep microsecond precision, and a whole millisecond stays whole", () => {
    const epochMs = fc.double({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1), noNaN: true });
    fc.assert(
      fc.property(epochMs, (ms) => {
        expect(Math.abs(unixNanosToMs(msToNanos(ms)) - ms)).toBeLessThan(0.001);
        // 1767225600123 ms is 1767225600123000000 ns, which a double holds as …122999936:
        // read back it must still be …123, or the span would start a millisecond early.
        expect(unixNanosToMs(msToNanos(Math.floor(ms)))).toBe(Math.floor(ms));
      }),
    );
  });

  it("a whole-millisecond time stays whole through protobuf's 64-bit integers too", () => {
    const ms = Date.UTC(2073, 0, 13, 1, 23, 10, 652);
    const read = decodeProtobufExport(protobufExportRequest([{ ...span, startMs: ms, endMs: ms + 1 }])).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect([read.startMs, read.endMs]).toEqual([ms, ms + 1]);
  });

  it("reads 64-bit integers from numbers, decimal strings and protobufjs Longs, and nothing else", () => {
    expect(int64ToNumber(42)).toBe(42);
    expect(int64ToNumber("-42")).toBe(-42);
    expect(int64ToNumber({ low: 1, high: 1, unsigned: true })).toBe(4_294_967_297);
    expect(int64ToNumber({ low: -1, high: -1, unsigned: false })).toBe(-1);
    expect(int64ToNumber("12abc")).toBeNaN();
    expect(int64ToNumber({ low: "1", high: 0 })).toBeNaN();
  });

  it("keeps an attribute named __proto__ as data", () => {
    const attributes = keyValuesToAttributes([{ key: "__proto__", value: { stringValue: "x" } }]);
    expect(Object.keys(attributes)).toEqual(["__proto__"]);
    expect(attributes["__proto__"]).toBe("x");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("summarises values nested deeper than 32 levels instead of recursing without end", () => {
    let value: object = { stringValue: "leaf" };
    for (let i = 0; i < 10_000; i++) value = { arrayValue: { values: [value] } };
    let read: unknown = keyValuesToAttributes([{ key: "deep", value }]).deep;
    let depth = 0;
    while (Array.isArray(read)) (read = read[0]), depth++;
    expect(depth).toBe(32);
    expect(read).toBe("[nested deeper than 32 levels]");
  });

  it("never throws on attribute lists of any shape, and keeps every well-formed key", () => {
    const anyValue = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.record({ stringValue: fc.oneof(fc.string(), fc.integer()) }),
        fc.record({ intValue: fc.oneof(fc.integer(), fc.string(), fc.constant({ low: 1, high: 2 })) }),
        fc.record({ doubleValue: fc.oneof(fc.double(), fc.constantFrom("NaN", "Infinity")) }),
        fc.record({ boolValue: fc.oneof(fc.boolean(), fc.string()) }),
        fc.record({ bytesValue: fc.oneof(fc.base64String(), fc.uint8Array()) }),
        fc.record({ arrayValue: fc.oneof(fc.record({ values: fc.array(tie("value"), { maxLength: 3 }) }), fc.constant(null)) }),
        fc.record({ kvlistValue: fc.record({ values: fc.array(tie("keyValue"), { maxLength: 3 }) }) }),
        fc.anything(),
      ),
      keyValue: fc.oneof(fc.record({ key: fc.oneof(fc.string(), fc.constantFrom("__proto__", "constructor")), value: tie("value") }), fc.anything()),
    }));
    fc.assert(
      fc.property(fc.array(anyValue.keyValue, { maxLength: 8 }), (list) => {
        const attributes = keyValuesToAttributes(list);
        const keys = new Set(list.flatMap((entry) => (typeof (entry as { key?: unknown })?.key === "string" ? [(entry as { key: string }).key] : [])));
        expect(new Set(Object.keys(attributes))).toEqual(keys);
        expect(() => JSON.stringify(attributes)).not.toThrow();
      }),
    );
  });
});
