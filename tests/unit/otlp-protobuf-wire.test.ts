import { describe, expect, it } from "vitest";
import fc from "fast-check";
import generated from "@opentelemetry/otlp-transformer/build/src/generated/root.js";
import { keyValuesToAttributes, unixNanosToMs } from "@/lib/ingest/otlp/any-value";
import { decodeProtobufExport } from "@/lib/ingest/otlp/otlp-protobuf";
import type { DecodedExport } from "@/lib/ingest/otlp/otlp-span";
import { protobufExportRequest, type TestAttributes, type TestSpan } from "../helpers/otlp-requests";

/**
 * The one-pass decoder against the reference it replaced: the protobufjs decoder generated from
 * the same .proto files, its messages converted as before (keyValuesToAttributes, unixNanosToMs).
 * Any bytes, valid or broken, must decode to the same export, or fail in both.
 */
interface Codec {
  decode(bytes: Uint8Array): any;
  encode(message: object): { finish(): Uint8Array };
  fromObject(object: object): object;
}
const v1 = (generated as unknown as { opentelemetry: { proto: { collector: { trace: { v1: Record<string, Codec> } } } } }).opentelemetry.proto.collector.trace.v1;

function referenceDecode(body: Uint8Array): DecodedExport {
  const hex = (bytes: Uint8Array | null) => (bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex") : "");
  const request = v1.ExportTraceServiceRequest!.decode(body);
  return {
    rejected: [],
    resourceSpans: request.resourceSpans.map((resourceSpans: any) => ({
      resource: keyValuesToAttributes(resourceSpans.resource?.attributes),
      scopeSpans: resourceSpans.scopeSpans.map((scopeSpans: any) => ({
        scope: { name: scopeSpans.scope?.name ?? "", version: scopeSpans.scope?.version ?? "" },
        spans: scopeSpans.spans.map((span: any) => ({
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: hex(span.parentSpanId),
          name: span.name ?? "",
          kind: span.kind ?? 0,
          startMs: unixNanosToMs(span.startTimeUnixNano),
          endMs: unixNanosToMs(span.endTimeUnixNano),
          attributes: keyValuesToAttributes(span.attributes),
          events: span.events.map((event: any) => ({ name: event.name ?? "", timeMs: unixNanosToMs(event.timeUnixNano), attributes: keyValuesToAttributes(event.attributes) })),
          statusCode: span.status?.code ?? 0,
          statusMessage: span.status?.message ?? "",
        })),
      })),
    })),
  };
}

type Outcome = { ok: true; json: string } | { ok: false };

/** JSON with a marker for NaN (JSON.stringify would make it null), key order kept. */
function outcome(decode: () => DecodedExport): Outcome {
  try {
    return { ok: true, json: JSON.stringify(decode(), (_, value: unknown) => (typeof value === "number" && Number.isNaN(value) ? "NaN" : value)) };
  } catch {
    return { ok: false };
  }
}

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.boolean(), fc.integer(), fc.double({ noNaN: true }), fc.constant("é🙂\u0000"));
const attributes: fc.Arbitrary<TestAttributes> = fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(scalar, fc.array(scalar, { maxLength: 3 })), { maxKeys: 5 });
const testSpan: fc.Arbitrary<TestSpan> = fc.record({
  traceId: fc.uint8Array({ minLength: 0, maxLength: 17 }).map((bytes) => Buffer.from(bytes).toString("hex")),
  spanId: fc.uint8Array({ minLength: 0, maxLength: 9 }).map((bytes) => Buffer.from(bytes).toString("hex")),
  parentSpanId: fc.option(fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes).toString("hex")), { nil: undefined }),
  name: fc.string({ maxLength: 20 }),
  kind: fc.integer({ min: -1, max: 7 }),
  startMs: fc.oneof(fc.integer({ min: 0, max: NOW }), fc.double({ min: 0, max: 2 ** 44, noNaN: true })),
  endMs: fc.oneof(fc.integer({ min: 0, max: 2 ** 44 }), fc.constant(18_446_744_073_709)),
  attributes,
  events: fc.array(fc.record({ name: fc.string({ maxLength: 10 }), timeMs: fc.integer({ min: 0, max: NOW }), attributes }), { maxLength: 2 }),
  status: fc.option(fc.record({ code: fc.integer({ min: 0, max: 3 }), message: fc.string({ maxLength: 10 }) }), { nil: undefined }),
});
const exportBytes = fc.tuple(fc.array(testSpan, { maxLength: 4 }), attributes).map(([spans, resource]) => Buffer.from(protobufExportRequest(spans, resource)));

/** Raw messages the helpers never write: kvlists, bytes, deep nesting, links, entity refs, repeated singular fields. */
const RAW = Buffer.from(
  v1.ExportTraceServiceRequest!.encode(
    v1.ExportTraceServiceRequest!.fromObject({
      resourceSpans: [
        {
          resource: { attributes: [{ key: "r", value: { kvlistValue: { values: [{ key: "k", value: { bytesValue: Buffer.from([1, 2, 3]) } }] } } }], entityRefs: [{ type: "service", idKeys: ["a", "b"] }] },
          schemaUrl: "https://example.invalid/schema",
          scopeSpans: [
            {
              scope: { name: "s", version: "1", attributes: [{ key: "x", value: { intValue: "-9007199254740993" } }] },
              spans: [
                {
                  traceId: Buffer.alloc(16, 1),
                  spanId: Buffer.alloc(8, 2),
                  traceState: "a=b",
                  flags: 1,
                  startTimeUnixNano: "18446744073709551615",
                  endTimeUnixNano: "4611686018427387904",
                  attributes: [
                    { key: "deep", value: nested(40) },
                    { key: "", value: { doubleValue: Number.POSITIVE_INFINITY } },
                    { value: { stringValue: "no key" } },
                    { key: "no value" },
                    // several oneof members at once: the first of string, bool, int, double, array/kvlist, bytes wins
                    { key: "bool+int", value: { intValue: 5, boolValue: false } },
                    { key: "int+double", value: { doubleValue: 1.5, intValue: "-3" } },
                    { key: "kvlist+array+bytes", value: { bytesValue: Buffer.from("b"), kvlistValue: { values: [] }, arrayValue: { values: [{ stringValue: "a" }] } } },
                    { key: "kvlist+bytes", value: { bytesValue: Buffer.alloc(0), kvlistValue: { values: [{ key: "k" }] } } },
                    { key: "string+all", value: { boolValue: true, stringValue: "", doubleValue: 2 } },
                  ],
                  links: [{ traceId: Buffer.alloc(16, 3), spanId: Buffer.alloc(8, 4), attributes: [{ key: "l", value: { boolValue: true } }] }],
                  droppedAttributesCount: 3,
                  status: { code: 2, message: "bad" },
                },
              ],
            },
          ],
        },
      ],
    }),
  ).finish(),
);

function nested(depth: number): object {
  return depth === 0 ? { stringValue: "bottom" } : { arrayValue: { values: [nested(depth - 1), { intValue: depth }] } };
}

describe("OTLP protobuf decoding reads exactly what the generated protobufjs decoder reads", () => {
  it("valid exports of any spans and attributes", () => {
    fc.assert(
      fc.property(exportBytes, (bytes) => {
        expect(outcome(() => decodeProtobufExport(bytes))).toEqual(outcome(() => referenceDecode(bytes)));
      }),
      { numRuns: 300 },
    );
  });

  it("fields the mapper ignores, deep nesting, repeated singular fields, extreme times and values", () => {
    const twice = Buffer.concat([RAW, RAW]); // every resourceSpans twice; within a message, a repeat replaces
    for (const bytes of [RAW, twice]) expect(outcome(() => decodeProtobufExport(bytes))).toEqual(outcome(() => referenceDecode(bytes)));
    expect(outcome(() => decodeProtobufExport(RAW)).ok).toBe(true);
  });

  it("broken bytes: truncated, flipped, inserted or garbage, decoded alike or refused by both", () => {
    const broken = fc.oneof(
      fc.tuple(exportBytes, fc.nat()).map(([bytes, cut]) => bytes.subarray(0, bytes.length === 0 ? 0 : cut % bytes.length)),
      fc.tuple(exportBytes, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([bytes, at, byte]) => {
        const copy = Buffer.from(bytes);
        if (copy.length > 0) copy[at % copy.length] = byte;
        return copy;
      }),
      fc.tuple(exportBytes, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 6 })).map(([bytes, at, extra]) => {
        const index = bytes.length === 0 ? 0 : at % bytes.length;
        return Buffer.concat([bytes.subarray(0, index), extra, bytes.subarray(index)]);
      }),
      fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
        const copy = Buffer.from(RAW);
        copy[at % copy.length] = byte;
        return copy;
      }),
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
    );
    fc.assert(
      fc.property(broken, (bytes) => {
        expect(outcome(() => decodeProtobufExport(bytes))).toEqual(outcome(() => referenceDecode(bytes)));
      }),
      { numRuns: 3000 },
    );
  });
});
