import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { LoggedRequest } from "@/lib/domain/logged-request";
import { opentelemetry } from "@/lib/ingest/otlp/generated/otlp-trace.js";
import { decodeJsonExport } from "@/lib/ingest/otlp/otlp-json";
import { decodeProtobufExport } from "@/lib/ingest/otlp/otlp-protobuf";
import { exportToLoggedRequests } from "@/lib/ingest/otlp/span-to-record";
import { jsonExportRequest, protobufExportRequest, type TestAttributes, type TestSpan } from "../helpers/otlp-requests";

/**
 * What OTLP ingest stores, pinned: a fixed corpus of exports (every attribute convention the mapper
 * reads, events, errors, credentials, Helicone names, invalid spans, odd AnyValues) decoded and
 * mapped, compared with the records the mapper produced before it was optimised
 * (fixtures/otlp-records.snapshot.json). A faster decoder or mapper must store the same thing.
 */
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const SNAPSHOT = "../fixtures/otlp-records.snapshot.json";

const KEYS = [
  "gen_ai.system", "gen_ai.provider.name", "llm.provider", "llm.system", "gen_ai.request.model", "gen_ai.response.model", "llm.model_name",
  "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens",
  "gen_ai.usage.total_tokens", "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_creation_input_tokens",
  "llm.token_count.prompt", "llm.token_count.completion", "llm.token_count.total", "llm.is_streaming",
  "gen_ai.prompt.0.role", "gen_ai.prompt.0.content", "gen_ai.prompt.1.content", "gen_ai.prompt.12.role", "gen_ai.completion.0.content",
  "llm.input_messages.0.message.role", "llm.input_messages.0.message.content", "llm.output_messages.0.message.content",
  "gen_ai.input.messages", "gen_ai.output.messages", "input.value", "output.value", "gen_ai.prompt", "gen_ai.completion",
  "ai.operationId", "ai.model.provider", "ai.model.id", "ai.response.model", "ai.usage.inputTokens", "ai.usage.promptTokens",
  "ai.usage.outputTokens", "ai.usage.tokens", "ai.usage.cachedInputTokens", "ai.response.msToFirstChunk", "ai.prompt",
  "ai.prompt.messages", "ai.response.text", "ai.response.object", "ai.response.toolCalls",
  "helicone.session.id", "Helicone-Session-Name", "helicone.user_id", "helicone.node_id", "helicone.property.Stage", "HELICONE_PROPERTY_env",
  "session.id", "gen_ai.conversation.id", "user.id", "enduser.id",
  "http.request.header.authorization", "http.response.header.set-cookie", "http.request.header.accept", "openai.api_key", "db.password",
  "service.name", "tool.name", "__proto__", "constructor", "", "10", "2", "0x1", 'quote"and\\slash', "line\nbreak",
];
const VALUES: Array<TestAttributes[string]> = [
  "openai", "Anthropic", " gpt-4o-mini ", "gpt-4o-mini-2024-07-18", "claude-3-5-sonnet-20241022", "unknown-model-x", "openai.chat", "anthropic.messages",
  "ai.generateText.doGenerate", "ai.streamText.doStream", "ai.generateText", "ai.embed.doEmbed",
  0, 1, 42, 420, 96, -3, 2_147_483_648, 12.5, "17", " 8 ", "x", "", true, false, ["a", "b"], [1, 2],
  '[{"role":"user","content":"hi"}]', '{"text":"done"}', "  {not json", "root:child", "sess-1", "Bearer sk-secret", "session=abc",
];

const ID_HEX = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((array) => Buffer.from(array).toString("hex"));
const TOKEN_KEY = /tokens?$|token_count|Tokens$/;
// Token counts are mostly valid (else nearly every span would be refused and nothing priced).
const attributesArbitrary = fc
  .tuple(
    fc.dictionary(fc.constantFrom(...KEYS.filter((key) => !TOKEN_KEY.test(key))), fc.constantFrom(...VALUES), { maxKeys: 8 }),
    fc.dictionary(fc.constantFrom(...KEYS.filter((key) => TOKEN_KEY.test(key))), fc.oneof({ weight: 12, arbitrary: fc.nat(5000) }, { weight: 1, arbitrary: fc.constantFrom(...VALUES) }), { maxKeys: 3 }),
  )
  .map(([other, tokens]) => ({ ...other, ...tokens }));
const eventArbitrary = fc.record({
  name: fc.constantFrom("exception", "gen_ai.content.prompt", "gen_ai.content.completion", "gen_ai.user.message", "gen_ai.system.message", "gen_ai.choice", "log"),
  timeMs: fc.integer({ min: NOW - 5_000, max: NOW }),
  attributes: fc.dictionary(fc.constantFrom("exception.message", "gen_ai.prompt", "gen_ai.completion", "content", "role", "index"), fc.constantFrom(...VALUES), { maxKeys: 3 }),
});
const spanArbitrary = fc
  .record({
    traceId: fc.oneof({ weight: 12, arbitrary: ID_HEX(16) }, { weight: 1, arbitrary: fc.constantFrom("00000000000000000000000000000000", "abc") }),
    spanId: fc.oneof({ weight: 12, arbitrary: ID_HEX(8) }, { weight: 1, arbitrary: fc.constantFrom("0000000000000000", "12") }),
    parentSpanId: fc.oneof(fc.constant(""), ID_HEX(8), fc.constant("0000000000000000")),
    name: fc.constantFrom("chat gpt-4o", "ai.generateText.doGenerate", "tool.search", "", "retrieval"),
    kind: fc.integer({ min: 0, max: 6 }),
    startMs: fc.oneof({ weight: 10, arbitrary: fc.integer({ min: NOW - 100_000, max: NOW }).map((ms) => ms + 0.123456) }, { weight: 1, arbitrary: fc.constant(Date.UTC(1999, 0, 1)) }),
    durationMs: fc.oneof({ weight: 10, arbitrary: fc.integer({ min: 0, max: 60_000 }) }, { weight: 1, arbitrary: fc.constant(-5) }),
    attributes: attributesArbitrary,
    events: fc.array(eventArbitrary, { maxLength: 3 }),
    status: fc.oneof(fc.constant(undefined), fc.record({ code: fc.integer({ min: 0, max: 2 }), message: fc.constantFrom("", "rate limited", "x".repeat(600)) })),
  })
  .map(({ durationMs, ...span }): TestSpan => ({ ...span, endMs: span.startMs + durationMs }));

const CORPUS: Array<{ spans: TestSpan[]; resource: TestAttributes }> = fc.sample(
  fc.record({ spans: fc.array(spanArbitrary, { minLength: 1, maxLength: 6 }), resource: attributesArbitrary }),
  { numRuns: 60, seed: 20261201 },
);

// Well-formed LLM calls of each convention, priced from the table.
const LLM_CALLS: TestAttributes[] = [
  { "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.response.model": "gpt-4o-mini-2024-07-18", "gen_ai.usage.input_tokens": 420, "gen_ai.usage.output_tokens": 96, "gen_ai.usage.cache_read.input_tokens": 128, "gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "Plan the next step.", "gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.content": "Search." },
  { "gen_ai.provider.name": "anthropic", "gen_ai.request.model": "claude-3-5-sonnet-20241022", "gen_ai.usage.input_tokens": 1200, "gen_ai.usage.output_tokens": 300, "gen_ai.usage.cache_creation_input_tokens": 200, "gen_ai.input.messages": '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]' },
  { "llm.provider": "openai", "llm.model_name": "gpt-4o", "llm.token_count.prompt": 50, "llm.token_count.completion": 5, "llm.token_count.total": 55, "llm.is_streaming": true, "llm.input_messages.0.message.role": "user", "llm.input_messages.0.message.content": "hello", "llm.output_messages.0.message.content": "hi" },
  { "ai.operationId": "ai.streamText.doStream", "ai.model.provider": "openai.chat", "ai.model.id": "gpt-4o-mini", "ai.usage.promptTokens": 10, "ai.usage.completionTokens": 20, "ai.response.msToFirstChunk": 153.2, "ai.prompt.messages": '[{"role":"user","content":"x"}]', "ai.response.text": "y" },
  { "gen_ai.system": "mystery", "gen_ai.request.model": "no-such-model", "gen_ai.usage.input_tokens": 5, "gen_ai.usage.output_tokens": 1 },
];
const LLM_CORPUS = LLM_CALLS.map((attributes, i) => ({
  resource: { "service.name": "agent", "helicone.session.id": "s-1" },
  spans: [{ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: `00f067aa0ba902${String(i).padStart(2, "0")}`, name: "llm", kind: 3, startMs: NOW - 2000.5, endMs: NOW - 1000, attributes }],
}));

type Json = Record<string, unknown>;
const { ExportTraceServiceRequest } = opentelemetry.proto.collector.trace.v1;

/** Wire shapes the test helpers never produce: kvlists, bytes, int64 forms, several resources and scopes, duplicate keys. */
function rawProtobufExport(): Uint8Array {
  const ids = { traceId: Buffer.from("5b8efff798038103d269b633813fc60c", "hex"), parentSpanId: Buffer.alloc(0) };
  const nanos = (ms: number) => (BigInt(ms) * 1_000_000n + 123_999n).toString();
  const span = (spanId: string, attributes: Json[], events: Json[] = []) => ({
    ...ids,
    spanId: Buffer.from(spanId, "hex"),
    name: "raw",
    kind: 2,
    startTimeUnixNano: nanos(NOW - 2000),
    endTimeUnixNano: nanos(NOW - 1000),
    attributes,
    events,
    status: { code: 1 },
  });
  const request = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "raw" } }, { key: "helicone.property.team", value: { stringValue: "core" } }] },
        scopeSpans: [
          {
            spans: [
              span("00f067aa0ba902b7", [
                { key: "nested", value: { kvlistValue: { values: [{ key: "a", value: { arrayValue: { values: [{ intValue: "-7" }, { doubleValue: 1.5 }, { boolValue: true }] } } }] } } },
                { key: "blob", value: { bytesValue: Buffer.from([0, 1, 2, 250]) } },
                { key: "big", value: { intValue: "9007199254740993" } },
                { key: "empty", value: {} },
                { key: "dup", value: { stringValue: "first" } },
                { key: "dup", value: { stringValue: "second" } },
                { key: "gen_ai.usage.input_tokens", value: { intValue: "12" } },
                { key: "gen_ai.usage.output_tokens", value: { stringValue: "3" } },
                { key: "gen_ai.request.model", value: { stringValue: "gpt-4o" } },
                { key: "gen_ai.system", value: { stringValue: "openai" } },
              ]),
            ],
          },
          {
            scope: { name: "second-scope", version: "" },
            spans: [span("00f067aa0ba902b8", [{ key: "user.id", value: { arrayValue: { values: [{ stringValue: "u" }] } } }], [{ name: "exception", timeUnixNano: nanos(NOW - 1500), attributes: [{ key: "exception.message", value: { stringValue: "boom" } }] }])],
          },
        ],
      },
      { resource: null, scopeSpans: [{ scope: { name: "third" }, spans: [span("00f067aa0ba902b9", [])] }] },
    ],
  };
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request)).finish();
}

/** JSON exports with int64s as numbers, null fields and a span of the wrong shape. */
const RAW_JSON_EXPORT = {
  resourceSpans: [
    {
      resource: null,
      scopeSpans: [
        {
          scope: null,
          spans: [
            { traceId: "5B8EFFF798038103D269B633813FC60C", spanId: "EEE19B7EC3C1B174", parentSpanId: null, name: null, kind: null, startTimeUnixNano: (NOW - 3000) * 1e6, endTimeUnixNano: String((NOW - 2000) * 1e6), attributes: [{ key: "gen_ai.usage.input_tokens", value: { intValue: 5 } }, { key: 7 }, null], events: null, status: null },
            { traceId: 5, spanId: "eee19b7ec3c1b175" },
            { traceId: "5b8efff798038103d269b633813fc60c", spanId: "eee19b7ec3c1b176", startTimeUnixNano: "1.5e18", endTimeUnixNano: "1" },
          ],
        },
      ],
    },
  ],
};

/** A record as JSON, its random id checked (a UUIDv7 of the receive time) and then left out. */
function stable(record: LoggedRequest): Json {
  expect(record.id.replaceAll("-", "").slice(0, 12)).toBe(NOW.toString(16).padStart(12, "0"));
  const { id: _id, ...rest } = record;
  return JSON.parse(JSON.stringify(rest)) as Json;
}

function mapped(decoded: ReturnType<typeof decodeJsonExport>) {
  const { records, rejected } = exportToLoggedRequests(decoded, "org-1", NOW);
  return { records: records.map(stable), rejected };
}

describe("OTLP ingest stores what it stored before it was optimised", () => {
  it("the same records and rejections for a fixed corpus, from protobuf and from OTLP/JSON", async () => {
    const outcomes = [...LLM_CORPUS, ...CORPUS].flatMap(({ spans, resource }) => [
      mapped(decodeProtobufExport(protobufExportRequest(spans, resource))),
      mapped(decodeJsonExport(Buffer.from(JSON.stringify(jsonExportRequest(spans, resource))))),
    ]);
    outcomes.push(mapped(decodeProtobufExport(rawProtobufExport())), mapped(decodeJsonExport(Buffer.from(JSON.stringify(RAW_JSON_EXPORT)))));
    await expect(`${JSON.stringify(outcomes, null, 1)}\n`).toMatchFileSnapshot(SNAPSHOT);
  });
});
