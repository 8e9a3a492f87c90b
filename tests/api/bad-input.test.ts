import { beforeAll, describe, expect, it } from "vitest";
import {
  customLogBody,
  customLogCases,
  filterCases,
  fitsInHeader,
  nodeIdCases,
  otlpCases,
  proxyCases,
  rawHttpCases,
  resolvePlaceholders,
  validCustomLog,
  type CustomLogCase,
  type NodeIdCase,
  type OtlpCase,
  type ProxyCase,
  type RawHttpCase,
} from "../fixtures/bad-input/corpus";
import { readAllTables } from "../helpers/database-contents";
import { loggedRequest, loggedRequestTagged, uniqueTag } from "../helpers/logged-requests";
import { decodeProtobufStatusMessage, jsonExportRequest, randomHexId, type TestSpan } from "../helpers/otlp-requests";
import { sendRawHttp, sendStreamedBody } from "../helpers/raw-http";
import { describeOnEachDatabase, PROVIDER_KEY, type TestStack } from "../helpers/test-stack";

// The bad-input corpus (tests/fixtures/bad-input) against a running server: every case gets a
// clear 4xx naming what is wrong (413 for size), or is stored exactly as sent; on the proxy path
// the LLM call always goes through. Afterwards the server still serves, the rows stored before
// are unchanged, and the log writer lost nothing.
//
// A case with `pendingFix` needs a change in a file this suite's authors may not touch (named in
// the fixture): it is checked to cope (no 5xx, server up), and its full expectation runs as
// `it.fails`, which starts failing the day the fix lands; then delete the `pendingFix`.
describeOnEachDatabase("bad input corpus", (stack) => {
  const url = () => stack().app.url;
  const auth = () => ({ authorization: `Bearer ${stack().app.apiKey}` });
  const seeds = new Map<string, string>();
  let storedBefore: Record<string, string[]>;

  beforeAll(async () => {
    await storeSeedRows(stack(), seeds);
    storedBefore = await dataRows(stack().databaseUrl);
  });

  describe("read API filters (GET /api/v1/requests)", () => {
    for (const testCase of filterCases) {
      defineCase(testCase.name, testCase.pendingFix, async (strict) => {
        const { status, body } = await stack().api(`/api/v1/requests?limit=1000&${testCase.query}`);
        if (!strict) return expect(status).toBeLessThan(500);
        expect(status, JSON.stringify(body)).toBe(testCase.status);
        if (testCase.matches) expect(seedNamesOf(body.data)).toEqual([...testCase.matches].sort());
        for (const part of testCase.message ?? []) expect(body.error.message).toContain(part);
      });
    }

    function seedNamesOf(rows: Array<{ id: string }>): string[] {
      const names = new Map([...seeds].map(([name, id]) => [id, name]));
      return rows.map((row) => names.get(row.id) ?? `unexpected row ${row.id}`).sort();
    }
  });

  describe("Helicone-Node-Id on every ingest path", () => {
    for (const testCase of nodeIdCases) {
      if (fitsInHeader(testCase.nodeId)) {
        it(`${testCase.name}: custom log, as a header`, () => nodeIdThroughCustomLog(testCase, "header"));
        it(`${testCase.name}: proxy, as a header (the call goes through)`, () => nodeIdThroughProxy(testCase));
      }
      it(`${testCase.name}: custom log, inside providerRequest.meta`, () => nodeIdThroughCustomLog(testCase, "meta"));
      it(`${testCase.name}: OTLP, as a helicone.node_id attribute`, () => nodeIdThroughOtlp(testCase));
    }
  });

  async function nodeIdThroughCustomLog(testCase: NodeIdCase, placement: "header" | "meta") {
    const marker = uniqueTag("node-id");
    const log = validCustomLog();
    const headers: Record<string, string> = { "Helicone-Session-Id": marker };
    if (placement === "header") headers["Helicone-Node-Id"] = asWireBytes(testCase.nodeId);
    else log.providerRequest.meta["Helicone-Node-Id"] = testCase.nodeId;
    const { status, body } = await postCustomLog(log, headers);
    if ("valid" in testCase) {
      expect(status, JSON.stringify(body)).toBe(200);
      expect(await loggedRequest(stack(), body.id, 0)).toMatchObject(expectedPlacement(testCase.nodeId));
    } else {
      expect(status).toBe(400);
      expect(body.error).toEqual({ code: "invalid_node_id", message: expect.stringContaining(testCase.reason) });
      expect(body.error.message).toMatch(/^Helicone-Node-Id is invalid: /);
      expect(await rowsInSession(marker)).toEqual([]);
    }
  }

  async function nodeIdThroughProxy(testCase: NodeIdCase) {
    const tag = uniqueTag("node-id");
    const response = await proxiedChat({ "Helicone-Node-Id": asWireBytes(testCase.nodeId), "Helicone-Property-Case": tag });
    expect(response.status).toBe(200);
    expect((await response.json()).choices[0].message.content).toContain("Mock answer");
    const logged = await loggedRequestTagged(stack(), tag);
    if ("valid" in testCase) {
      expect(logged).toMatchObject({ ...expectedPlacement(testCase.nodeId), traceError: null });
    } else {
      expect(logged).toMatchObject({ status: 200, traceId: null, nodeId: null, parentNodeId: null });
      expect(logged.traceError).toMatch(/^Helicone-Node-Id ignored: /);
      expect(logged.traceError).toContain(testCase.reason);
    }
  }

  async function nodeIdThroughOtlp(testCase: NodeIdCase) {
    const tag = uniqueTag("node-id");
    const span = testSpan({ "helicone.node_id": testCase.nodeId, "helicone.property.case": tag });
    const response = await postOtlp(JSON.stringify(jsonExportRequest([span])), "application/json");
    expect(response.status).toBe(200);
    const [row] = await stack().waitForRequests(`property.case=${tag}`, 1);
    if ("valid" in testCase) {
      expect(row).toMatchObject({ ...expectedPlacement(testCase.nodeId), traceError: null });
    } else {
      // Placed by its own span ids instead, with the reason kept.
      expect(row).toMatchObject({ traceId: span.traceId, nodeId: span.spanId });
      expect(row.traceError).toContain(testCase.reason);
    }
  }

  describe("custom-log bodies (POST /v1/trace/custom/log)", () => {
    for (const testCase of customLogCases) it(testCase.name, () => customLogCase(testCase));
  });

  async function customLogCase(testCase: CustomLogCase) {
    const marker = uniqueTag("custom-log");
    const { status, body } = testCase.streamed
      ? await streamed(`${url()}/v1/trace/custom/log`, { ...auth(), "content-type": "application/json", "helicone-session-id": marker }, testCase.streamed).then(
          (answer) => ({ status: answer.status, body: JSON.parse(answer.body) }),
        )
      : await postCustomLog(customLogBody(testCase), { "Helicone-Session-Id": marker });
    expect(status, JSON.stringify(body).slice(0, 500)).toBe(testCase.status);
    if (status >= 400) {
      for (const part of testCase.message ?? []) expect(body.error.message).toContain(part);
      expect(await rowsInSession(marker)).toEqual([]);
    } else {
      expectStored(await loggedRequest(stack(), body.id, 0), testCase.stored ?? {});
    }
  }

  describe("OTLP exports (POST /v1/traces)", () => {
    for (const testCase of otlpCases) it(testCase.name, () => otlpCase(testCase));
  });

  async function otlpCase(testCase: OtlpCase) {
    const tag = uniqueTag("otlp");
    const contentType = testCase.contentType === undefined ? "application/json" : testCase.contentType;
    const headers: Record<string, string> = { ...auth(), ...(contentType ? { "content-type": contentType } : {}) };
    if (testCase.contentEncoding) headers["content-encoding"] = testCase.contentEncoding;
    const answer = testCase.streamed
      ? await streamed(`${url()}/v1/traces`, headers, testCase.streamed)
      : await fetch(`${url()}/v1/traces`, { method: "POST", headers, body: asBodyInit(otlpBytes(testCase, tag)) }).then(async (response) => ({
          status: response.status,
          body: Buffer.from(await response.arrayBuffer()),
        }));
    expect(answer.status).toBe(testCase.status);
    const message = otlpMessage(contentType, answer.body);
    for (const part of testCase.message ?? []) expect(message).toContain(part);
    if (testCase.storedSpans !== undefined) {
      const { body } = await stack().api(`/api/v1/requests?property.case=${tag}`);
      expect(body.data).toHaveLength(testCase.storedSpans);
    }
  }

  /** The case's bytes; spans written as JSON get a `helicone.property.case` attribute to find them by. */
  function otlpBytes(testCase: OtlpCase, tag: string): Buffer {
    if (testCase.bytes) return testCase.bytes(tag);
    if (testCase.bodyBase64 !== undefined) return Buffer.from(testCase.bodyBase64, "base64");
    if (testCase.bodyLatin1 !== undefined) return Buffer.from(testCase.bodyLatin1, "latin1");
    if (testCase.rawBody !== undefined) return Buffer.from(testCase.rawBody);
    const body = resolvePlaceholders(testCase.body, Date.now(), new Map());
    for (const resourceSpans of arrayOrEmpty(body?.resourceSpans)) {
      for (const scopeSpans of arrayOrEmpty(resourceSpans?.scopeSpans)) {
        for (const span of arrayOrEmpty(scopeSpans?.spans)) {
          if (span && typeof span === "object") span.attributes = [...arrayOrEmpty(span.attributes), { key: "helicone.property.case", value: { stringValue: tag } }];
        }
      }
    }
    return Buffer.from(JSON.stringify(body));
  }

  /** JSON answers carry {message} or {partialSuccess: {errorMessage}}; protobuf ones a google.rpc.Status. */
  function otlpMessage(contentType: string | null, body: Buffer | string): string {
    if (contentType === "application/x-protobuf") return decodeProtobufStatusMessage(Buffer.from(body));
    const text = body.toString();
    if (text === "") return "";
    const parsed = JSON.parse(text);
    return parsed.message ?? parsed.partialSuccess?.errorMessage ?? parsed.error?.message ?? "";
  }

  describe("the proxy (POST /v1/chat/completions): logging never breaks the call", () => {
    for (const testCase of proxyCases) {
      defineCase(testCase.name, testCase.pendingFix, (strict) => proxyCase(testCase, strict));
    }
  });

  async function proxyCase(testCase: ProxyCase, strict: boolean) {
    const tag = uniqueTag("proxy");
    const headers: Record<string, string> = { "Helicone-Property-Case": tag, ...testCase.latin1Headers };
    for (const [name, value] of Object.entries(testCase.headers ?? {})) headers[name] = asWireBytes(value);
    let status: number;
    let body: any;
    if (testCase.streamed) {
      const answer = await streamed(`${url()}/v1/chat/completions`, { ...proxyHeaders(), ...headers }, testCase.streamed);
      status = answer.status;
      body = JSON.parse(answer.body);
    } else {
      const response = await proxiedChat(headers, proxyBody(testCase));
      status = response.status;
      body = await response.json().catch(() => null);
    }
    if (!strict) return expect(status).toBeLessThan(500);
    expect(status, JSON.stringify(body)?.slice(0, 300)).toBe(testCase.status);
    for (const part of testCase.message ?? []) expect(body.error.message).toContain(part);
    if (testCase.logged === null) {
      // The log writer keeps order: once a later call is logged, this one would have been too.
      const after = uniqueTag("proxy-after");
      await proxiedChat({ "Helicone-Property-Case": after });
      await loggedRequestTagged(stack(), after);
      expect((await stack().api(`/api/v1/requests?property.case=${tag}`)).body.data).toEqual([]);
    } else {
      expectStored(await loggedRequestTagged(stack(), tag), testCase.logged);
    }
  }

  function proxyBody(testCase: ProxyCase): Buffer | string {
    if (testCase.bytes) return testCase.bytes();
    if (testCase.bodyBase64 !== undefined) return Buffer.from(testCase.bodyBase64, "base64");
    if (testCase.rawBody !== undefined) return testCase.rawBody;
    return JSON.stringify(testCase.body ?? { model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] });
  }

  describe("raw HTTP (bytes fetch refuses to send)", () => {
    for (const testCase of rawHttpCases) {
      defineCase(testCase.name, testCase.pendingFix, (strict) => rawHttpCase(testCase, strict));
    }
  });

  async function rawHttpCase(testCase: RawHttpCase, strict: boolean) {
    const marker = uniqueTag("raw");
    const response = await sendRawHttp(url(), rawRequest(testCase, marker));
    if (!strict) return expect(response.status).toBeLessThan(500);
    expect(response.status, response.body.slice(0, 300)).toBe(testCase.status);
    if (testCase.message) {
      expect(response.headers["content-type"]).toContain("application/json");
      const error = JSON.parse(response.body).error;
      for (const part of testCase.message) expect(error.message).toContain(part);
    }
    if (testCase.target === "custom-log" && response.status >= 400) expect(await rowsInSession(marker)).toEqual([]);
    if (testCase.stored) expectStored(await loggedRequest(stack(), JSON.parse(response.body).id, 0), testCase.stored);
  }

  function rawRequest(testCase: RawHttpCase, marker: string): Buffer {
    const defaults = {
      "custom-log": {
        line: "POST /v1/trace/custom/log",
        headers: [`Authorization: Bearer ${stack().app.apiKey}`, "Content-Type: application/json", `Helicone-Session-Id: ${marker}`],
        body: JSON.stringify({ ...validCustomLog(), timing: undefined }),
      },
      proxy: {
        line: "POST /v1/chat/completions",
        headers: [`Helicone-Auth: Bearer ${stack().app.apiKey}`, `Authorization: Bearer ${PROVIDER_KEY}`, "Content-Type: application/json", `Helicone-Session-Id: ${marker}`],
        body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] }),
      },
      otlp: { line: "POST /v1/traces", headers: [`Authorization: Bearer ${stack().app.apiKey}`, "Content-Type: application/json"], body: '{"resourceSpans":[]}' },
      "read-api": { line: "GET /api/v1/requests?limit=1", headers: [`Authorization: Bearer ${stack().app.apiKey}`], body: "" },
    }[testCase.target];
    const line = testCase.path ? `${defaults.line.split(" ")[0]} ${testCase.path}` : defaults.line;
    const body = testCase.bodyLatin1 !== undefined ? Buffer.from(testCase.bodyLatin1, "latin1") : Buffer.from(defaults.body);
    const latin1Lines = [`${line} HTTP/1.1`, "Host: 127.0.0.1", ...defaults.headers, ...(testCase.headerLines ?? [])];
    if (!testCase.omitContentLength && (body.length > 0 || defaults.line.startsWith("POST"))) latin1Lines.push(`Content-Length: ${body.length}`);
    latin1Lines.push("Connection: close");
    return Buffer.concat([
      Buffer.from(latin1Lines.map((text) => `${text}\r\n`).join(""), "latin1"),
      Buffer.from((testCase.utf8HeaderLines ?? []).map((text) => `${text}\r\n`).join(""), "utf8"),
      Buffer.from("\r\n"),
      body,
    ]);
  }

  describe("afterwards", () => {
    it("the server still serves: a proxied call, a custom log, an OTLP export and the read API all work", async () => {
      const tag = uniqueTag("still-serving");
      const completion = await stack()
        .openai({ "Helicone-Property-Case": tag, "Helicone-Node-Id": `${tag}:after` })
        .chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "still there?" }] });
      expect(completion.choices[0]!.message.content).toContain("still there?");
      expect(await loggedRequestTagged(stack(), tag)).toMatchObject({ nodeId: `${tag}:after`, traceError: null });

      const log = await postCustomLog(validCustomLog());
      expect(log.status).toBe(200);
      expect((await loggedRequest(stack(), log.body.id, 0)).model).toBe("gpt-4o-mini");

      const span = testSpan({ "helicone.property.case": `${tag}-otlp` });
      expect((await postOtlp(JSON.stringify(jsonExportRequest([span])), "application/json")).status).toBe(200);
      expect((await stack().api(`/api/v1/traces/${span.traceId}`)).body.nodes).toHaveLength(1);
    });

    it("every row stored before the corpus ran is still there, unchanged", async () => {
      const after = await dataRows(stack().databaseUrl);
      for (const [table, rows] of Object.entries(storedBefore)) {
        expect(rows.length, table).toBeGreaterThan(0);
        const now = new Set(after[table]);
        expect(rows.filter((row) => !now.has(row)), `${table}: rows missing or changed`).toEqual([]);
      }
      // And the seeds still read back through the API as they were written.
      for (const [name, id] of seeds) expect((await stack().api(`/api/v1/requests/${id}`)).status, name).toBe(200);
    });

    it("the log writer lost nothing: no record failed to prepare, was dropped or was refused by the database", async () => {
      const { status, body } = await stack().api("/api/health");
      expect(status).toBe(200);
      expect(body.logQueue).toMatchObject({ failedToPrepare: 0, dropped: 0, refused: 0 });
    });
  });

  // -------------------------------------------------------------------------------------------

  async function postCustomLog(body: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${url()}/v1/trace/custom/log`, {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  function proxyHeaders(): Record<string, string> {
    return { "helicone-auth": `Bearer ${stack().app.apiKey}`, authorization: `Bearer ${PROVIDER_KEY}`, "content-type": "application/json" };
  }

  function proxiedChat(headers: Record<string, string>, body: Buffer | string = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] })) {
    return fetch(`${url()}/v1/chat/completions`, { method: "POST", headers: { ...proxyHeaders(), ...headers }, body: asBodyInit(body) });
  }

  function postOtlp(body: string | Buffer, contentType: string) {
    return fetch(`${url()}/v1/traces`, { method: "POST", headers: { ...auth(), "content-type": contentType }, body: asBodyInit(body) });
  }

  async function streamed(target: string, headers: Record<string, string>, body: NonNullable<CustomLogCase["streamed"]>) {
    const answer = await sendStreamedBody(target, { headers, totalBytes: body.bytes, chunked: body.chunked, prefix: body.prefix });
    // Refused as soon as the limit is known: never after reading all 50 MB.
    expect(answer.bytesWritten).toBeLessThan(body.bytes);
    expect(answer.elapsedMs).toBeLessThan(10_000);
    return answer;
  }

  async function rowsInSession(sessionId: string): Promise<unknown[]> {
    const { status, body } = await stack().api(`/api/v1/requests?sessionId=${encodeURIComponent(sessionId)}`);
    expect(status).toBe(200);
    return body.data;
  }
});

/**
 * A normal `it` when the case can pass today. A case waiting on a fix elsewhere is checked to
 * cope (no 5xx, the server answers), and its full expectation runs as an expected failure.
 */
function defineCase(name: string, pendingFix: string | undefined, run: (strict: boolean) => Promise<unknown>): void {
  if (!pendingFix) {
    it(name, () => run(true));
    return;
  }
  it(`${name}: copes (no 5xx, the server answers)`, () => run(false));
  it.fails(`${name}: as it should [pending: ${pendingFix.split(":")[0]}]`, () => run(true));
}

/** Where a valid node id puts its request: the trace is the first segment, the parent all but the last. */
function expectedPlacement(nodeId: string) {
  const id = nodeId.trim();
  const cut = id.lastIndexOf(":");
  return { nodeId: id, traceId: id.split(":")[0], parentNodeId: cut === -1 ? null : id.slice(0, cut) };
}

/** Header text as bytes on the wire: fetch sends each character of a header value as one byte. */
function asWireBytes(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}

/**
 * Properties compared as entries, so that a property named `__proto__` is compared like any
 * other; `case`, the property a test finds its request by, is left out.
 */
function expectStored(actual: any, expected: Record<string, unknown>): void {
  const { properties, ...rest } = expected;
  expect(actual).toMatchObject(rest);
  if (!properties) return;
  const stored = Object.entries(actual.properties as object).filter(([key]) => key !== "case");
  expect(stored.sort()).toEqual(Object.entries(properties as object).sort());
}

function testSpan(attributes: Record<string, string>): TestSpan {
  const now = Date.now();
  return { traceId: randomHexId(16), spanId: randomHexId(8), name: "bad-input", startMs: now - 50, endMs: now - 1, attributes };
}

function asBodyInit(body: string | Buffer): string | Uint8Array<ArrayBuffer> {
  return typeof body === "string" ? body : new Uint8Array(body);
}

function arrayOrEmpty(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/** Rows of the tables that hold logged data, each serialized, by table name. */
async function dataRows(databaseUrl: string): Promise<Record<string, string[]>> {
  const tables = await readAllTables(databaseUrl);
  const serialize = (row: Record<string, unknown>) =>
    JSON.stringify(row, (_key, value) => (typeof value === "bigint" ? String(value) : value?.type === "Buffer" ? Buffer.from(value.data).toString("base64") : value));
  return Object.fromEntries(["Request", "RequestBody", "RequestProperty"].map((table) => [table, (tables[table] ?? []).map(serialize)]));
}

/**
 * Rows the filters are checked against, stored before anything else: bodies holding the LIKE
 * wildcards and look-alikes they must not match, property values holding SQL, Unicode and
 * U+0000, and one row from each other ingest path.
 */
async function storeSeedRows(stack: TestStack, seeds: Map<string, string>): Promise<void> {
  const customLog = async (name: string, content: string, meta: Record<string, string> = {}) => {
    const log = validCustomLog();
    log.providerRequest.json.messages = [{ role: "user", content }];
    log.providerRequest.meta = meta;
    const response = await fetch(`${stack.app.url}/v1/trace/custom/log`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.app.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(log),
    });
    expect(response.status, name).toBe(200);
    seeds.set(name, ((await response.json()) as { id: string }).id);
  };
  await customLog("percent", "a body with zq%x in it");
  await customLog("underscore", "a body with zq_x in it");
  await customLog("lookalike", "zqwwx and zqyx match the wildcard forms only");
  await customLog("sql-property", "plain", { "Helicone-Property-Note": "' OR 1=1 --" });
  await customLog("unicode-property", "plain", { "Helicone-Property-ステップ": "計画" });
  await customLog("nul-property", "plain", { "Helicone-Property-Tag": "x\u0000y" });

  const tag = uniqueTag("seed");
  await stack
    .openai({ "Helicone-Property-Case": tag, "Helicone-Node-Id": `${tag}:proxied`, "Helicone-Session-Id": tag })
    .chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "seed" }] });
  seeds.set("proxied", (await loggedRequestTagged(stack, tag)).id);

  const span = testSpan({ "helicone.property.case": `${tag}-otel`, "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini" });
  const response = await fetch(`${stack.app.url}/v1/traces`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.app.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(jsonExportRequest([span])),
  });
  expect(response.status).toBe(200);
  seeds.set("otel", (await stack.waitForRequests(`property.case=${tag}-otel`, 1))[0].id);
}
