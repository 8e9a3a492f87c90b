// Properties of every parser at the ingest edge: whatever arrives, each one returns its result or
// a typed error that names the problem (an ApiError or a ZodError, answered as a 4xx), and never
// throws anything else; what is valid round-trips; secrets never survive redaction. The
// bad-input corpus (tests/fixtures/bad-input) is replayed here against the parsers directly too.
import { isUtf8 } from "node:buffer";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { ZodError } from "zod";
import { describe, expect, it } from "vitest";
import { NODE_ID_LIMITS, impliedParentOf, parseNodeId } from "@/lib/domain/node-id";
import { ApiError } from "@/lib/shared/api-error";
import { toErrorResponse } from "@/lib/http/error-response";
import { MAX_JSON_NESTING, pathPastNestingLimit } from "@/lib/shared/json-nesting";
import { customLogToLoggedRequest } from "@/lib/ingest/custom-log";
import { REDACTED, redactHeaders } from "@/lib/ingest/headers";
import { bearerToken } from "@/lib/auth/api-keys";
import { rawHeaderPairs, readHeliconeContext } from "@/lib/ingest/helicone-headers";
import { int64ToNumber, keyValuesToAttributes, toAttributeValue, unixNanosToMs } from "@/lib/ingest/otlp/any-value";
import { decodeJsonExport } from "@/lib/ingest/otlp/otlp-json";
import { decodeProtobufExport } from "@/lib/ingest/otlp/otlp-protobuf";
import type { Attributes, OtlpSpan } from "@/lib/ingest/otlp/otlp-span";
import { emptyAttributes } from "@/lib/ingest/otlp/otlp-span";
import { exportToLoggedRequests, spanContext, spanToLoggedRequest } from "@/lib/ingest/otlp/span-to-record";
import { readProviderExchange } from "@/lib/ingest/providers";
import { parseStreamEvents } from "@/lib/ingest/providers/sse";
import { decodeUtf8Body, firstInvalidUtf8Offset } from "@/lib/ingest/read-body";
import { listRequestsQuerySchema } from "@/lib/read-api/list-requests";
import { customLogBody, customLogCases, nestedArraysJson, nodeIdCases, validCustomLog } from "../fixtures/bad-input/corpus";
import { jsonExportRequest, protobufExportRequest, type TestSpan } from "../helpers/otlp-requests";

// The corpus builds its times from the clock, so the parsers are handed the same clock.
const NOW = Date.now();
const RUNS = { numRuns: 300 };

/** Runs `parse` and sorts the outcome: a value, a typed 4xx error, or anything else (a bug). */
function outcomeOf<T>(parse: () => T): { ok: true; value: T } | { ok: false; status: number; message: string } {
  try {
    return { ok: true, value: parse() };
  } catch (error) {
    if (!(error instanceof ApiError) && !(error instanceof ZodError)) throw error;
    const { status, body } = toErrorResponse(error);
    return { ok: false, status, message: body.error.message };
  }
}

// Arbitrary text: every code point, lone surrogates and control characters included.
const anyText = fc.string({ unit: fc.oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code))), maxLength: 60 });
const segment = fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 }).filter((text) => !/[:\u0000-\u001f\u007f-\u009f]/.test(text) && text.trim() === text);

describe("node ids (lib/domain/node-id.ts)", () => {
  it("valid ids round-trip: the trace is the first segment, the parent all but the last, depth the count", () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 40 }), (segments) => {
        const id = segments.join(":");
        const parsed = parseNodeId(`  ${id}\t`);
        expect(parsed).toEqual({
          ok: true,
          nodeId: id,
          traceId: segments[0],
          parentNodeId: segments.length > 1 ? segments.slice(0, -1).join(":") : null,
          depth: segments.length,
        });
        expect(impliedParentOf(id)).toBe(parsed.ok ? parsed.parentNodeId : undefined);
        // The parent is itself a valid id one level up, in the same trace: a:b:c → a:b → a.
        if (parsed.ok && parsed.parentNodeId) expect(parseNodeId(parsed.parentNodeId)).toMatchObject({ ok: true, traceId: segments[0], depth: segments.length - 1 });
      }),
      RUNS,
    );
  });

  it("any string either parses into an id within the limits or yields a reason naming the problem; nothing throws", () => {
    const reasons = [/^node id is empty$/, /^node id is \d+ characters long; the limit is 4096$/, /^node id contains control characters \(U\+[0-9A-F]{4} at character \d+\)$/, /^node id is not valid Unicode: lone surrogate U\+D[89A-F][0-9A-F]{2} at character \d+$/, /^node id has \d+ levels; the limit is 256$/, /^node id has an empty segment at position \d+ \(ids look like parent:child\)$/, /^node id segment \d+ is longer than 256 characters$/];
    fc.assert(
      fc.property(fc.oneof(anyText, fc.array(fc.oneof(anyText, fc.constant("")), { maxLength: 8 }).map((parts) => parts.join(":"))), (raw) => {
        const parsed = parseNodeId(raw);
        if (parsed.ok) {
          expect(parsed.nodeId).toBe(raw.trim());
          expect(parsed.nodeId.length).toBeLessThanOrEqual(NODE_ID_LIMITS.maxLength);
          expect(parsed.nodeId).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
          expect(parsed.depth).toBeLessThanOrEqual(NODE_ID_LIMITS.maxSegments);
          for (const part of parsed.nodeId.split(":")) expect(part.length).toBeGreaterThan(0);
        } else {
          expect(reasons.some((reason) => reason.test(parsed.reason)), parsed.reason).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("each kind of damage is reported where it is: the empty segment's position, the control character and its place", () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 2, maxLength: 10 }), fc.nat(), fc.integer({ min: 0, max: 0x9f }), (segments, at, code) => {
        const position = at % (segments.length + 1);
        const withHole = [...segments.slice(0, position), "", ...segments.slice(position)].join(":");
        const hole = parseNodeId(withHole);
        // A hole at either end of a trimmed id is still an empty first or last segment.
        expect(hole).toEqual({ ok: false, reason: `node id has an empty segment at position ${position + 1} (ids look like parent:child)` });

        if (code > 0x1f && code < 0x7f) return; // printable ASCII is no control character
        const id = segments.join(":");
        const index = 1 + (at % (id.length - 1)); // inside, so that trimming cannot remove it
        const damaged = `${id.slice(0, index)}${String.fromCharCode(code)}${id.slice(index)}`;
        const hex = code.toString(16).toUpperCase().padStart(4, "0");
        expect(parseNodeId(damaged)).toEqual({ ok: false, reason: `node id contains control characters (U+${hex} at character ${index + 1})` });
      }),
      RUNS,
    );
  });

  it("the level, length and segment limits hold exactly at their edges", () => {
    const ids = (count: number, width = 1) => Array.from({ length: count }, () => "x".repeat(width)).join(":");
    expect(parseNodeId(ids(256)).ok).toBe(true);
    expect(parseNodeId(ids(257))).toEqual({ ok: false, reason: "node id has 257 levels; the limit is 256" });
    expect(parseNodeId(`a:${"y".repeat(256)}`).ok).toBe(true);
    expect(parseNodeId(`a:${"y".repeat(257)}`)).toEqual({ ok: false, reason: "node id segment 2 is longer than 256 characters" });
    const longest = `${ids(15, 255)}:${"z".repeat(256)}`;
    expect(longest).toHaveLength(4096);
    expect(parseNodeId(longest).ok).toBe(true);
    expect(parseNodeId(`${longest}z`)).toEqual({ ok: false, reason: "node id is 4097 characters long; the limit is 4096" });
  });

  it.each(nodeIdCases.map((testCase) => [testCase.name, testCase] as const))("corpus: %s", (_name, testCase) => {
    const parsed = parseNodeId(testCase.nodeId);
    if ("valid" in testCase) expect(parsed).toMatchObject({ ok: true, nodeId: testCase.nodeId });
    else expect(parsed.ok ? "accepted" : parsed.reason).toContain(testCase.reason);
  });
});

describe("Helicone headers (lib/ingest/helicone-headers.ts)", () => {
  const headerName = fc.oneof(
    fc.constantFrom("Helicone-Node-Id", "Helicone-Session-Id", "Helicone-Session-Name", "Helicone-User-Id", "Helicone-Auth", "Authorization", "Content-Type"),
    fc.string({ unit: "grapheme-ascii", maxLength: 140 }).map((name) => `Helicone-Property-${name}`),
    fc.constantFrom("Helicone-Property-__proto__", "Helicone-Property-constructor", "Helicone-Property-", "helicone-property-toString"),
    fc.mixedCase(fc.constantFrom("helicone-node-id", "helicone-user-id", "helicone-property-step")),
  );
  const pairs = fc.array(fc.tuple(headerName, fc.oneof(anyText, fc.string({ maxLength: 5000 }))), { maxLength: 12 });

  it("any headers give a context: properties keyed by their lower-cased names, bounded, last one wins; never a throw", () => {
    fc.assert(
      fc.property(pairs, (headers) => {
        const context = readHeliconeContext(headers);
        const expected = new Map<string, string>();
        for (const [name, value] of headers) {
          const key = name.toLowerCase().replace(/^helicone-property-/, "");
          if (name.toLowerCase().startsWith("helicone-property-") && key.length > 0 && key.length <= 128) expected.set(key, value.trim().slice(0, 4096));
        }
        expect(Object.entries(context.properties).sort()).toEqual([...expected].sort());
        for (const field of [context.sessionId, context.sessionName, context.userId]) if (field !== null) expect(field.length).toBeLessThanOrEqual(1024);
      }),
      RUNS,
    );
  });

  it("a node id is placed when parseNodeId accepts it, otherwise ignored with the same reason as traceError", () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join(":"))), (nodeId) => {
        const context = readHeliconeContext([["HELICONE-NODE-ID", nodeId]]);
        const parsed = parseNodeId(nodeId);
        if (parsed.ok) {
          expect(context).toMatchObject({ nodeId: parsed.nodeId, traceId: parsed.traceId, parentNodeId: parsed.parentNodeId, traceError: null, nodeIdError: null });
        } else {
          expect(context).toMatchObject({ nodeId: null, traceId: null, parentNodeId: null, traceError: `Helicone-Node-Id ignored: ${parsed.reason}`, nodeIdError: parsed.reason });
        }
      }),
      RUNS,
    );
  });

  it("raw header values read back as the text the client sent, whether it sent UTF-8 or Latin-1", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 30 }), fc.string({ unit: "binary-ascii", maxLength: 30 }), (unicode, latin1) => {
        // node:http hands every header byte over as one Latin-1 character.
        const wire = (bytes: Buffer) => bytes.toString("latin1");
        const utf8Bytes = Buffer.from(unicode, "utf8");
        const latin1Bytes = Buffer.from(latin1, "latin1");
        const [[, fromUtf8], [, fromLatin1]] = rawHeaderPairs(["A", wire(utf8Bytes), "B", wire(latin1Bytes)]) as [[string, string], [string, string]];
        expect(fromUtf8).toBe(unicode);
        // Latin-1 text that happens to form valid UTF-8 is read as UTF-8; any other stays as sent.
        expect(fromLatin1).toBe(isUtf8(latin1Bytes) ? latin1Bytes.toString("utf8") : latin1);
      }),
      RUNS,
    );
    expect(rawHeaderPairs(["Helicone-Node-Id", "\u00e3\u0082\u00a8\u00e3\u0083\u00bc:x", "X-Odd"])).toEqual([["Helicone-Node-Id", "エー:x"]]);
  });

  it("bearerToken finds the token of any Bearer credential and nothing in anything else", () => {
    const token = fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 60 }).filter((text) => !/\s/.test(text));
    fc.assert(
      fc.property(token, fc.mixedCase(fc.constant("bearer")), fc.stringMatching(/^[ \t]{0,3}$/), (key, scheme, space) => {
        expect(bearerToken(`${space}${scheme} ${key}${space}`)).toBe(key);
        expect(bearerToken(key)).toBeNull();
        expect(bearerToken(`Basic ${key}`)).toBeNull();
        expect(bearerToken(`${scheme} ${key} extra`)).toBeNull();
      }),
      RUNS,
    );
    fc.assert(fc.property(anyText, (text) => void bearerToken(text)));
  });
});

describe("header redaction (lib/ingest/headers.ts)", () => {
  const secret = fc.stringMatching(/^[A-Za-z0-9_-]{12,40}$/).map((text) => `tw${text}`);
  const secretHeaderName = fc.oneof(
    fc.constantFrom("authorization", "x-api-key", "api-key", "cookie", "set-cookie", "helicone-auth", "proxy-authorization", "openai-organization", "openai-project"),
    fc.constantFrom("x-goog-api-key", "x-auth-token", "ocp-apim-subscription-key", "x-amz-security-token", "x-client-secret", "x-custom-auth", "x-authorization", "X-Portkey-Api-Key", "db_password", "x-signature"),
  );
  const plainHeaderName = fc.constantFrom("content-type", "user-agent", "x-request-id", "openai-processing-ms", "anthropic-version", "x-stainless-lang", "accept");

  it("a credential never survives: not under a secret header name, and not as a Bearer/Basic/sk- value under any name", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(plainHeaderName, fc.string({ unit: "grapheme-ascii", maxLength: 20 })), { maxLength: 5 }),
        secretHeaderName,
        secret,
        plainHeaderName.map((name) => `x-${name}-echo`),
        fc.constantFrom("Bearer ", "bearer ", "Basic ", "Token ", "sk-", "sk-proj-"),
        (plain, secretName, key, carrier, prefix) => {
          const headers: Record<string, string | string[]> = Object.fromEntries(plain);
          headers[secretName] = [`Bearer ${key}`];
          headers[carrier] = `${prefix}${key}`;
          const redacted = redactHeaders(headers);
          expect(JSON.stringify(redacted)).not.toContain(key);
          expect(redacted[secretName.toLowerCase()]).toBe(REDACTED);
          expect(redacted[carrier]).toBe(REDACTED);
        },
      ),
      RUNS,
    );
  });

  it("other headers are kept, names lower-cased and lists joined; a header named __proto__ is kept as data", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(plainHeaderName, fc.oneof(fc.string({ unit: "grapheme-ascii", maxLength: 20 }).filter((value) => !/sk-|^\s*(bearer|basic|digest|token)\s/i.test(value)), fc.array(fc.constantFrom("a", "b c"), { minLength: 1, maxLength: 3 }))), { maxLength: 6 }), (entries) => {
        const headers = Object.fromEntries(entries.map(([name, value]) => [name.toUpperCase(), value]));
        const redacted = redactHeaders(headers);
        for (const [name, value] of Object.entries(headers)) expect(redacted[name.toLowerCase()]).toBe(Array.isArray(value) ? value.join(", ") : value);
      }),
      RUNS,
    );
    expect(Object.entries(redactHeaders(JSON.parse('{"__proto__":"x","Content-Type":"text/plain"}')))).toEqual([
      ["__proto__", "x"],
      ["content-type", "text/plain"],
    ]);
  });
});

describe("custom-log body → record (lib/ingest/custom-log.ts)", () => {
  const toRecord = (body: unknown, headers: Array<[string, string]> = []) => outcomeOf(() => customLogToLoggedRequest("org-1", body, headers, NOW));

  it("arbitrary JSON gives a record or a 400 with a message; nothing else escapes", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (body) => {
        const outcome = toRecord(body);
        if (!outcome.ok) {
          expect(outcome.status).toBe(400);
          expect(outcome.message.length).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });

  it("replacing any field of a valid log with any JSON value gives a record or a 400 that names that field", () => {
    const fields = ["providerRequest", "providerRequest.url", "providerRequest.json", "providerRequest.meta", "providerResponse", "providerResponse.status", "providerResponse.headers", "timing", "timing.startTime", "timing.endTime", "timing.timeToFirstToken", "provider"];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 3 }), (field, value) => {
        const body = customLogBody({ name: "fuzzed", set: { [field]: value as never }, status: 0 }, NOW);
        const outcome = toRecord(body);
        if (!outcome.ok) {
          expect(outcome.status).toBe(400);
          // Either the field's own path, or (for a bad time) the timing check that names it.
          expect(outcome.message).toMatch(new RegExp(`${field.split(".")[0]}|timing`));
        }
      }),
      RUNS,
    );
  });

  it("a valid log becomes exactly the record it describes: times, status, usage and bodies as sent", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: NOW }),
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.integer({ min: 0, max: 999 }),
        fc.record({ prompt_tokens: fc.integer({ min: 0, max: 2_000_000 }), completion_tokens: fc.integer({ min: 0, max: 2_000_000 }) }),
        fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
        fc.constantFrom("openai", "OpenAI", "azure", "groq"),
        (startMs, durationMs, status, usage, extra, provider) => {
          const log = validCustomLog(NOW);
          log.timing = { startTime: new Date(startMs).toISOString(), endTime: startMs + durationMs };
          log.providerResponse.status = status;
          log.providerResponse.json.usage = usage;
          log.providerRequest.json = { ...extra, model: "gpt-4o-mini", messages: [] };
          log.provider = provider;
          const record = customLogToLoggedRequest("org-1", log, [], NOW);
          expect(record).toMatchObject({
            provider: provider.toLowerCase(),
            status,
            latencyMs: durationMs,
            promptTokens: usage.prompt_tokens,
            completionTokens: usage.completion_tokens,
            totalTokens: usage.prompt_tokens + usage.completion_tokens,
            errorReason: status >= 200 && status < 300 ? null : expect.any(String),
          });
          expect(record.startTime.getTime()).toBe(startMs);
          expect(record.endTime.getTime()).toBe(startMs + durationMs);
          expect(record.requestBody).toBe(JSON.stringify(log.providerRequest.json));
          expect(record.responseBody).toBe(JSON.stringify(log.providerResponse.json));
        },
      ),
      RUNS,
    );
  });

  it("an end before the start, a time before 2000 or over a day ahead is a 400 naming the time", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: NOW }), fc.integer({ min: 1, max: 10 ** 12 }), (startMs, skew) => {
        const timed = (startTime: number, endTime: number) => customLogBody({ name: "t", set: { "timing.startTime": startTime, "timing.endTime": endTime }, status: 0 }, NOW);
        expect(toRecord(timed(startMs, startMs - skew))).toMatchObject({ ok: false, status: 400, message: "timing.endTime is before timing.startTime" });
        expect(toRecord(timed(startMs, NOW + 86_400_000 + skew))).toMatchObject({ ok: false, message: "timing.endTime is more than a day in the future" });
        expect(toRecord(timed(Date.UTC(2000, 0, 1) - skew, startMs))).toMatchObject({ ok: false, message: expect.stringContaining("timing.startTime is before the year 2000") });
      }),
      RUNS,
    );
  });

  it("JSON nested past the limit anywhere is a 400 naming where; at the limit it is stored", () => {
    fc.assert(
      fc.property(fc.constantFrom("providerRequest.json.messages", "providerResponse.json", "providerRequest.json.tools"), fc.integer({ min: MAX_JSON_NESTING - 3, max: 100_000 }), (field, depth) => {
        const body = customLogBody({ name: "deep", set: { [field]: "__deep__" }, status: 0 }, NOW) as object;
        const parsed = JSON.parse(JSON.stringify(body).replace('"__deep__"', nestedArraysJson(depth)));
        const outcome = toRecord(parsed);
        // The field sits at level 2 or 3 of the body; its arrays start one below.
        const levels = field.split(".").length + depth;
        if (levels <= MAX_JSON_NESTING) expect(outcome.ok).toBe(true);
        else expect(outcome).toMatchObject({ ok: false, status: 400, message: expect.stringMatching(new RegExp(`^${field.replaceAll(".", "\\.")}[.…0-9]*: JSON is nested more than 256 levels deep$`)) });
      }),
      { numRuns: 60 },
    );
  });

  it("a __proto__ key anywhere in the request JSON is stored as sent", () => {
    const body = JSON.parse('{"providerRequest":{"url":"/v1/chat/completions","json":{"__proto__":{"x":1},"model":"m"}},"providerResponse":{"json":null,"status":200},"provider":"openai"}');
    const record = customLogToLoggedRequest("org-1", body, [], NOW);
    expect(record.requestBody).toBe('{"__proto__":{"x":1},"model":"m"}');
  });

  it.each(customLogCases.filter((testCase) => !testCase.streamed).map((testCase) => [testCase.name, testCase] as const))("corpus: %s", (_name, testCase) => {
    const body = customLogBody(testCase, NOW);
    let parsed: unknown;
    try {
      parsed = typeof body === "string" ? JSON.parse(body) : body;
    } catch {
      expect(testCase.message).toEqual(["Body is not valid JSON"]); // the router's own check
      return;
    }
    const outcome = toRecord(parsed);
    expect(outcome.ok ? 200 : outcome.status).toBe(testCase.status);
    for (const part of testCase.message ?? []) expect(outcome.ok ? "" : outcome.message).toContain(part);
  });
});

describe("OTLP decoding and span → record (lib/ingest/otlp/*)", () => {
  const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((array) => Buffer.from(array).toString("hex"));
  // Integral numbers go as intValue, others as doubleValue (as the test helper encodes them).
  const attributeValue = fc.oneof(
    fc.string({ unit: "grapheme", maxLength: 20 }),
    fc.boolean(),
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
    fc.double({ min: -1e9, max: 1e9, noNaN: true }).filter((value) => !Number.isInteger(value)),
    fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  );
  const testSpan = fc.record({
    traceId: hex(16).filter((id) => !/^0+$/.test(id)),
    spanId: hex(8).filter((id) => !/^0+$/.test(id)),
    parentSpanId: fc.option(hex(8), { nil: undefined }),
    name: fc.string({ unit: "grapheme", maxLength: 30 }),
    kind: fc.integer({ min: 0, max: 5 }),
    startMs: fc.integer({ min: Date.UTC(2001, 0, 1), max: NOW - 10_000 }),
    durationMs: fc.integer({ min: 0, max: 10_000 }),
    attributes: fc.dictionary(fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 12 }).filter((key) => !/^(helicone|gen_ai|llm|ai)[._]/i.test(key) && !["session.id", "user.id", "enduser.id", "input.value", "output.value"].includes(key)), attributeValue, { maxKeys: 4 }),
  }).map(({ durationMs, ...span }): TestSpan => ({ ...span, endMs: span.startMs + durationMs }));

  it("any spans decode alike from protobuf and OTLP/JSON, and map to records placed by their own ids", () => {
    fc.assert(
      fc.property(fc.array(testSpan, { minLength: 1, maxLength: 5 }), (spans) => {
        const fromProtobuf = decodeProtobufExport(protobufExportRequest(spans));
        expect(decodeJsonExport(Buffer.from(JSON.stringify(jsonExportRequest(spans))))).toEqual(fromProtobuf);
        const { records, rejected } = exportToLoggedRequests(fromProtobuf, "org-1", NOW);
        expect(rejected).toEqual([]);
        expect(records.map((record) => [record.traceId, record.nodeId, record.parentNodeId, record.startTime.getTime(), record.endTime.getTime(), record.path])).toEqual(
          spans.map((span) => [span.traceId, span.spanId, span.parentSpanId && !/^0+$/.test(span.parentSpanId) ? span.parentSpanId : null, span.startMs, span.endMs, span.name]),
        );
      }),
      { numRuns: 150 },
    );
  });

  it("arbitrary bytes as OTLP/JSON decode or are a 400 naming the problem", () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.jsonValue({ maxDepth: 5 }).map((value) => new TextEncoder().encode(JSON.stringify(value)))), (bytes) => {
        const outcome = outcomeOf(() => decodeJsonExport(Buffer.from(bytes)));
        if (!outcome.ok) expect(outcome).toMatchObject({ status: 400, message: expect.stringMatching(/UTF-8|JSON|OTLP/) });
      }),
      { numRuns: 500 },
    );
  });

  it("arbitrary export-shaped JSON decodes, span by span, into spans or rejections; mapping them never throws", () => {
    const looseSpan = fc.record(
      {
        traceId: fc.oneof(hex(16), fc.string(), fc.integer()),
        spanId: fc.oneof(hex(8), fc.string()),
        parentSpanId: fc.oneof(hex(8), fc.string(), fc.constant(null)),
        name: fc.oneof(fc.string(), fc.constant(null)),
        kind: fc.oneof(fc.integer(), fc.double()),
        startTimeUnixNano: fc.oneof(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String), fc.double(), fc.string()),
        endTimeUnixNano: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String), fc.integer()),
        attributes: fc.array(fc.record({ key: fc.oneof(fc.string(), fc.integer()), value: fc.jsonValue({ maxDepth: 4 }) }), { maxLength: 4 }),
        status: fc.record({ code: fc.oneof(fc.integer(), fc.string()), message: fc.string() }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(looseSpan, { maxLength: 4 }), (spans) => {
        const decoded = decodeJsonExport(Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] })));
        const { records, rejected } = exportToLoggedRequests(decoded, "org-1", NOW);
        expect(records.length + rejected.length).toBe(spans.length);
        for (const { reason } of rejected) expect(reason).toMatch(/^(traceId|spanId|parentSpanId|startTimeUnixNano|endTimeUnixNano|kind|status\.code|status\.message|name)\b/);
        for (const record of records) {
          expect(record.traceId).toMatch(/^[0-9a-f]{32}$/);
          expect(record.endTime.getTime()).toBeGreaterThanOrEqual(record.startTime.getTime());
          expect(() => JSON.parse(record.requestBody!)).not.toThrow();
        }
      }),
      RUNS,
    );
  });

  it("arbitrary bytes as protobuf either fail to decode with an Error (the handler's 400) or decode into spans that map without a throw", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        let decoded: ReturnType<typeof decodeProtobufExport>;
        try {
          decoded = decodeProtobufExport(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          return;
        }
        // Past decoding, a throw would be a 500.
        const { records, rejected } = exportToLoggedRequests(decoded, "org-1", NOW);
        for (const { reason } of rejected) expect(reason.length).toBeGreaterThan(0);
        for (const record of records) expect(record.traceId).toMatch(/^[0-9a-f]{32}$/);
      }),
      { numRuns: 1000 },
    );
  });

  it("any span, however broken (ids, NaN or infinite times, odd attributes), maps to a record or a reason", () => {
    const brokenSpan = fc.record({
      traceId: fc.oneof(hex(16), fc.string({ maxLength: 40 })),
      spanId: fc.oneof(hex(8), fc.string({ maxLength: 20 })),
      parentSpanId: fc.oneof(fc.constant(""), hex(8), fc.string({ maxLength: 20 })),
      name: anyText,
      kind: fc.integer({ min: -5, max: 50 }),
      startMs: fc.oneof(fc.double(), fc.integer({ min: Date.UTC(1999, 0, 1), max: NOW + 2 * 86_400_000 })),
      endMs: fc.oneof(fc.double(), fc.integer({ min: Date.UTC(1999, 0, 1), max: NOW + 2 * 86_400_000 })),
      // Null-prototype, as the decoders build them.
      attributes: fc
        .array(fc.tuple(fc.oneof(fc.string(), fc.constantFrom("helicone.node_id", "gen_ai.usage.input_tokens", "gen_ai.input.messages", "llm.token_count.prompt", "ai.operationId", "__proto__")), fc.jsonValue({ maxDepth: 3 })), { maxLength: 5 })
        .map((entries) => Object.assign(emptyAttributes(), Object.fromEntries(entries)) as Attributes),
      events: fc.array(fc.record({ name: fc.constantFrom("exception", "gen_ai.user.message", "x"), timeMs: fc.double(), attributes: fc.constant(emptyAttributes()) }), { maxLength: 3 }),
      statusCode: fc.integer({ min: -1, max: 3 }),
      statusMessage: anyText,
    });
    fc.assert(
      fc.property(brokenSpan, (span: OtlpSpan) => {
        const mapped = spanToLoggedRequest(span, spanContext("org-1", NOW, emptyAttributes(), { name: "", version: "" }));
        if (!mapped.ok) {
          expect(mapped.reason.length).toBeGreaterThan(0);
          return;
        }
        const { record } = mapped;
        expect(Number.isFinite(record.latencyMs)).toBe(true);
        expect(record.startTime.getTime()).toBeGreaterThanOrEqual(Date.UTC(2000, 0, 1));
        expect(record.endTime.getTime()).toBeLessThanOrEqual(NOW + 86_400_000);
        for (const count of [record.promptTokens, record.completionTokens]) if (count !== null) expect(Number.isInteger(count) && count >= 0 && count < 2 ** 31).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("a prompt attribute holding JSON nested 100,000 deep is kept as text, not re-serialized", () => {
    const attributes = Object.assign(emptyAttributes(), { "gen_ai.input.messages": nestedArraysJson(100_000), "gen_ai.output.messages": nestedArraysJson(MAX_JSON_NESTING) });
    const span: OtlpSpan = { traceId: "5b8efff798038103d269b633813fc60c", spanId: "eee19b7ec3c1b174", parentSpanId: "", name: "deep", kind: 1, startMs: NOW - 10, endMs: NOW, attributes, events: [], statusCode: 0, statusMessage: "" };
    const mapped = spanToLoggedRequest(span, spanContext("org-1", NOW, emptyAttributes(), { name: "", version: "" }));
    expect(mapped.ok).toBe(true);
    if (mapped.ok) {
      expect(JSON.parse(mapped.record.requestBody!).input).toBe(nestedArraysJson(100_000));
      expect(JSON.parse(mapped.record.responseBody!).output).toEqual(JSON.parse(nestedArraysJson(MAX_JSON_NESTING)));
    }
  });
});

describe("OTLP AnyValue and integers (lib/ingest/otlp/any-value.ts)", () => {
  const anyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      fc.record({ stringValue: fc.oneof(fc.string(), fc.integer()) }),
      fc.record({ boolValue: fc.oneof(fc.boolean(), fc.string()) }),
      fc.record({ intValue: fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String), fc.integer(), fc.string(), fc.record({ low: fc.integer(), high: fc.integer(), unsigned: fc.boolean() })) }),
      fc.record({ doubleValue: fc.oneof(fc.double(), fc.string()) }),
      fc.record({ bytesValue: fc.oneof(fc.base64String(), fc.uint8Array({ maxLength: 8 })) }),
      fc.record({ arrayValue: fc.record({ values: fc.array(tie("value"), { maxLength: 3 }) }) }),
      fc.record({ kvlistValue: fc.record({ values: fc.array(fc.record({ key: fc.oneof(fc.string(), fc.constant("__proto__")), value: tie("value") }), { maxLength: 3 }) }) }),
      fc.jsonValue({ maxDepth: 2 }),
    ),
  })).value;

  /** Strings, finite numbers, booleans, null, and arrays and objects of those: what JSON holds without loss. */
  const isPlainJson = (value: unknown): boolean => {
    if (value === null || typeof value === "string" || typeof value === "boolean") return true;
    if (typeof value === "number") return Number.isFinite(value);
    if (Array.isArray(value)) return value.every(isPlainJson);
    return typeof value === "object" && Object.values(value as object).every(isPlainJson);
  };

  it("any value converts without a throw into plain JSON (no NaN, Infinity, BigInt, Long or byte array)", () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const converted = toAttributeValue(value);
        expect(isPlainJson(converted)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("nesting is summarised past 32 levels, so a hostile exporter cannot blow the stack", () => {
    let value: unknown = { intValue: "1" };
    for (let i = 0; i < 50_000; i++) value = { arrayValue: { values: [value] } };
    const converted = toAttributeValue(value);
    expect(JSON.stringify(converted)).toContain("[nested deeper than 32 levels]");
  });

  it("a kvlist keeps every key, __proto__ included, without touching any prototype", () => {
    const attributes = keyValuesToAttributes([{ key: "__proto__", value: { stringValue: "x" } }, { key: "constructor", value: { intValue: "5" } }]);
    expect(Object.entries(attributes)).toEqual([["__proto__", "x"], ["constructor", 5]]);
  });

  it("every int64, as a decimal string or a protobufjs Long, reads as the same number", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (value) => {
        const long = { low: Number(BigInt.asIntN(32, value)), high: Number(BigInt.asIntN(32, value >> 32n)), unsigned: false };
        expect(int64ToNumber(value.toString())).toBe(Number(value));
        expect(int64ToNumber(long)).toBe(Number(value));
      }),
      RUNS,
    );
    fc.assert(fc.property(fc.string().filter((text) => !/^-?\d{1,20}$/.test(text)), (text) => {
        expect(int64ToNumber(text)).toBeNaN();
      }),
    );
  });

  it("nanoseconds convert to milliseconds exactly to the microsecond, whatever the form", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.integer({ min: 0, max: 999_999 }), (ms, nanos) => {
        const total = BigInt(ms) * 1_000_000n + BigInt(nanos);
        const expected = ms + Math.round(nanos / 1000) / 1000;
        expect(unixNanosToMs(total.toString())).toBeCloseTo(expected, 6);
        expect(unixNanosToMs({ low: Number(BigInt.asIntN(32, total)), high: Number(total >> 32n), unsigned: true })).toBeCloseTo(expected, 6);
      }),
      RUNS,
    );
  });
});

describe("provider response and stream readers (lib/ingest/providers/*)", () => {
  const providers = fc.constantFrom("openai", "anthropic", "azure", "");
  const contentTypes = fc.constantFrom("application/json", "text/event-stream", "text/event-stream; charset=utf-8", null, "text/html");
  const body = fc.oneof(
    fc.constant(null),
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString("utf8")),
    fc.jsonValue({ maxDepth: 5 }).map((value) => JSON.stringify(value)),
    fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 6 }).map((events) => events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join("")),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 4 })),
  );

  it("any bodies, any content type: a result with finite usage, never a throw", () => {
    fc.assert(
      fc.property(providers, body, body, contentTypes, (provider, requestBody, responseBody, responseContentType) => {
        const read = readProviderExchange(provider, { path: "/v1/x", requestBody, responseBody, responseContentType });
        expect(typeof read.stream).toBe("boolean");
        for (const count of [read.usage.promptTokens, read.usage.completionTokens, read.usage.totalTokens, read.usage.cachedTokens]) {
          if (count !== null) expect(Number.isFinite(count)).toBe(true);
        }
        if (read.storedResponseBody !== null) expect(typeof read.storedResponseBody).toBe("string");
      }),
      { numRuns: 500 },
    );
  });

  it("bodies nested far past the stack never throw: deep tool results, tool schemas, stream chunks", () => {
    const deep = nestedArraysJson(20_000);
    let toolResult = '"leaf"';
    for (let i = 0; i < 20_000; i++) toolResult = `[{"type":"tool_result","content":${toolResult}}]`;
    const anthropicRequest = `{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":${toolResult}},{"role":"assistant","content":[{"type":"tool_use","name":"f","input":${deep}}]}]}`;
    const openaiRequest = `{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":${deep}}}]}`;
    const noUsage = (text: string) => JSON.stringify({ object: "chat.completion", choices: [{ message: { role: "assistant", content: text } }] });
    const anthropicNoUsage = JSON.stringify({ type: "message", content: [{ type: "text", text: "hi" }] });
    // Usage is copied into the reassembled reply, so a deep one reaches JSON.stringify.
    const stream = `data: {"choices":[{"index":0,"delta":{"content":"hi"}}],"usage":{"prompt_tokens":1,"deep":${deep}}}\n\ndata: [DONE]\n\n`;
    const anthropicStream = `event: message_start\ndata: {"type":"message_start","message":{"model":"claude","content":[],"usage":{"input_tokens":1},"deep":${deep}}}\n\n`;
    const cases: Array<[string, string, string, string]> = [
      ["anthropic", anthropicRequest, anthropicNoUsage, "application/json"],
      ["openai", openaiRequest, noUsage("hello"), "application/json"],
      ["openai", openaiRequest, stream, "text/event-stream"],
      ["anthropic", anthropicRequest, anthropicStream, "text/event-stream"],
    ];
    for (const [provider, requestBody, responseBody, responseContentType] of cases) {
      const read = readProviderExchange(provider, { path: "/v1/x", requestBody, responseBody, responseContentType });
      // Stored either reassembled or, when that cannot be serialized, as the raw stream.
      expect(read.storedResponseBody).toEqual(expect.any(String));
    }
  });

  it("an SSE body parses back into the events written, whatever the line endings and comments", () => {
    fc.assert(
      fc.property(fc.array(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 })), { maxLength: 8 }), fc.constantFrom("\n", "\r\n", "\r"), fc.boolean(), (events, newline, comments) => {
        const text = events.map((data, index) => `${comments ? `: keep-alive${newline}` : ""}${index % 2 ? `event: e${index}${newline}` : ""}data: ${JSON.stringify(data)}${newline}${newline}`).join("");
        const parsed = parseStreamEvents(`${text}data: [DONE]${newline}${newline}`);
        // Compared as JSON carries them (-0 arrives as 0).
        expect(parsed.map((event) => event.data)).toEqual(JSON.parse(JSON.stringify(events)));
        expect(parsed.map((event) => event.event)).toEqual(events.map((_, index) => (index % 2 ? `e${index}` : null)));
      }),
      RUNS,
    );
  });

  it("an Anthropic stream cut at any byte still reads: its text is a prefix of the whole answer", () => {
    const stream = readFileSync(new URL("../fixtures/providers/anthropic-stream-tool-use.sse", import.meta.url), "utf8");
    const request = JSON.stringify({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "weather?" }] });
    const textOf = (stored: string | null) => {
      const message = JSON.parse(stored ?? "{}");
      return Array.isArray(message.content) ? message.content.map((block: { text?: string }) => block.text ?? "").join("") : "";
    };
    const whole = textOf(readProviderExchange("anthropic", { path: "/v1/messages", requestBody: request, responseBody: stream, responseContentType: "text/event-stream" }).storedResponseBody);
    expect(whole.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: stream.length }), (cut) => {
        const read = readProviderExchange("anthropic", { path: "/v1/messages", requestBody: request, responseBody: stream.slice(0, cut), responseContentType: "text/event-stream" });
        expect(read.stream).toBe(true);
        const text = read.storedResponseBody?.startsWith("{") ? textOf(read.storedResponseBody) : "";
        expect(whole.startsWith(text)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe("UTF-8 body decoding (lib/ingest/read-body.ts)", () => {
  it("the first invalid byte is found exactly where node's own validator stops agreeing", () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.string({ unit: "binary", maxLength: 20 }).map((text) => new Uint8Array(Buffer.from(text)))), (bytes) => {
        const offset = firstInvalidUtf8Offset(bytes);
        if (isUtf8(bytes)) {
          expect(offset).toBe(-1);
          return;
        }
        expect(offset).toBeGreaterThanOrEqual(0);
        expect(isUtf8(bytes.subarray(0, offset))).toBe(true);
        // No valid sequence starts at the offset: no prefix of what follows, up to 4 bytes, decodes.
        for (let length = 1; length <= 4 && offset + length <= bytes.length; length++) expect(isUtf8(bytes.subarray(offset, offset + length))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it("text round-trips, a leading BOM is dropped, and bytes that are not UTF-8 are a 400 naming the first one", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), fc.uint8Array({ minLength: 1, maxLength: 20 }), (text, tail) => {
        expect(decodeUtf8Body(Buffer.from(text))).toBe(text.startsWith("\uFEFF") ? text.slice(1) : text);
        expect(decodeUtf8Body(Buffer.from(`\uFEFF${text}`))).toBe(text);
        const bytes = Buffer.concat([Buffer.from(text), tail]);
        if (isUtf8(bytes)) return;
        const outcome = outcomeOf(() => decodeUtf8Body(bytes));
        expect(outcome).toMatchObject({ ok: false, status: 400, message: expect.stringContaining(`byte ${firstInvalidUtf8Offset(bytes)} (0x`) });
      }),
      RUNS,
    );
  });
});

describe("JSON nesting (lib/shared/json-nesting.ts)", () => {
  const depthOf = (value: unknown): number => (value !== null && typeof value === "object" ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0);

  it("finds a path exactly when the value is deeper than the limit, and the path leads past it", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 8 }), (value, limit) => {
        const path = pathPastNestingLimit(value, limit);
        expect(path === null).toBe(depthOf(value) <= limit);
        if (path) {
          const reached = path.reduce<any>((at, key) => at[key], value);
          expect(path).toHaveLength(limit);
          expect(reached !== null && typeof reached === "object").toBe(true);
        }
      }),
      RUNS,
    );
  });
});

describe("read API filters (lib/read-api/list-requests.ts)", () => {
  it("any query string parses or fails with messages that name a parameter; from is never after to", () => {
    const param = fc.constantFrom("model", "status", "sessionId", "userId", "traceId", "search", "from", "to", "limit", "cursor");
    const value = fc.oneof(anyText, fc.constantFrom("ok", "error", "200", "0", "1000", "-1", "' OR 1=1 --", "%", "_", "2025-01-01", "1767225600000", "NaN", ""));
    fc.assert(
      fc.property(fc.dictionary(param, value, { maxKeys: 5 }), (query) => {
        const parsed = listRequestsQuerySchema.safeParse(query);
        if (parsed.success) {
          if (parsed.data.from && parsed.data.to) expect(parsed.data.from.getTime()).toBeLessThanOrEqual(parsed.data.to.getTime());
          expect(parsed.data.limit).toBeGreaterThanOrEqual(1);
        } else {
          for (const issue of parsed.error.issues) expect(Object.keys(query)).toContain(String(issue.path[0]));
        }
      }),
      { numRuns: 500 },
    );
  });
});
