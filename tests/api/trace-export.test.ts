import { afterAll, beforeAll, expect, it } from "vitest";
import fc from "fast-check";
import { createKeyWithCli } from "../helpers/keys-cli";
import { uniqueTag } from "../helpers/logged-requests";
import { describeOnEachDatabase, startStack, stackOf, type TestStack } from "../helpers/test-stack";
import { logRandomTrace, postOtlp, randomTrace, type RandomTrace } from "./trace-export/random-trace";

// GET /api/v1/traces/{traceId}/export: OTLP/JSON that rebuilds the same trace wherever it is
// posted to /v1/traces, the trace API's document as a download, and Markdown to paste.
describeOnEachDatabase("trace export and import", (stack) => {
  /** another organization in the same database */
  let other: TestStack;
  /** another instance, on a database of its own that starts empty */
  let elsewhere: TestStack & { stop(): Promise<void> };

  beforeAll(async () => {
    const key = await createKeyWithCli(stack().databaseUrl, ["--name", "importer", "--organization", "Importers"]);
    other = stackOf({ ...stack(), app: { ...stack().app, apiKey: key.key } });
    elsewhere = await startStack(stack().kind);
  }, 120_000);

  afterAll(async () => {
    await elsewhere?.stop();
  });

  /** `format` null: the parameter left out */
  async function exported(as: TestStack, traceId: string, format: string | null) {
    const query = format === null ? "" : `?format=${format}`;
    return fetch(`${as.app.url}/api/v1/traces/${encodeURIComponent(traceId)}/export${query}`, { headers: { authorization: `Bearer ${as.app.apiKey}` } });
  }

  /** The trace API's document without request ids, which an import makes anew. */
  async function traceDocument(as: TestStack, traceId: string) {
    const { status, body } = await as.api(`/api/v1/traces/${encodeURIComponent(traceId)}`);
    expect(status, JSON.stringify(body)).toBe(200);
    const ids: string[] = body.nodes.flatMap((node: any) => node.requests.map((request: any) => request.id));
    for (const node of body.nodes) for (const request of node.requests) delete request.id;
    return { document: body, ids };
  }

  /** Every request's detail (bodies, tokens, cost split), in the document's order, without what an import makes anew. */
  async function requestDetails(as: TestStack, ids: string[]) {
    return Promise.all(
      ids.map(async (id) => {
        const { status, body } = await as.api(`/api/v1/requests/${id}`);
        expect(status).toBe(200);
        const { id: _id, requestHeaders: _requestHeaders, responseHeaders: _responseHeaders, ...rest } = body;
        return rest;
      }),
    );
  }

  it(
    "random traces, retries and virtual nodes included, come back the same in another organization and in an empty database: tree, metrics, content",
    async () => {
      await fc.assert(
        fc.asyncProperty(randomTrace, async (trace) => {
          const traceId = await logRandomTrace(stack(), trace);
          const original = await traceDocument(stack(), traceId);
          const response = await exported(stack(), traceId, "otlp");
          expect(response.status).toBe(200);
          const otlp = await response.json();

          for (const target of [other, elsewhere]) {
            await postOtlp(target, otlp);
            const imported = await traceDocument(target, traceId);
            expect(imported.document).toEqual(original.document);
            expect(await requestDetails(target, imported.ids)).toEqual(await requestDetails(stack(), original.ids));
          }
        }),
        { numRuns: 10, examples: [[ROLLUP_OVER_CALLS], [SPANS_UNDER_A_MISSING_PARENT]] },
      );
    },
    600_000,
  );

  it("a usage roll-up over calls is one again after the import, so the trace costs each call once", async () => {
    const traceId = await logRandomTrace(stack(), ROLLUP_OVER_CALLS);
    const original = await traceDocument(stack(), traceId);
    const requests = original.document.nodes.flatMap((node: any) => node.requests);
    expect(requests.filter((request: any) => request.usageRollup)).toEqual([expect.objectContaining({ source: "otel", cost: 0, promptTokens: 900 })]);
    await postOtlp(other, await (await exported(stack(), traceId, "otlp")).json());
    expect((await traceDocument(other, traceId)).document).toEqual(original.document);
  });

  it("format=json is the trace API's document, as a download", async () => {
    const traceId = await logRandomTrace(stack(), { otlpTraceId: false, paths: [{ parent: 0, logged: true, attempts: [{ via: "proxy", stream: false, outcome: "ok", tag: {} }] }], spans: [] });
    const response = await exported(stack(), traceId, "json");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="trace-trace-[0-9a-f-]+\.json"$/);
    expect(await response.json()).toEqual((await stack().api(`/api/v1/traces/${traceId}`)).body);
  });

  it("format=otlp (the default) is an ExportTraceServiceRequest: one span per request, one per virtual node of a path", async () => {
    const traceId = await logRandomTrace(stack(), {
      otlpTraceId: false,
      paths: [
        { parent: 0, logged: false, attempts: [{ via: "proxy", stream: false, outcome: "ok", tag: {} }] },
        { parent: 0, logged: true, attempts: [{ via: "proxy", stream: false, outcome: "500", tag: {} }, { via: "proxy", stream: true, outcome: "ok", tag: {} }] },
      ],
      spans: [],
    });
    const response = await exported(stack(), traceId, null);
    expect(response.headers.get("content-disposition")).toMatch(/filename="trace-.+\.otlp\.json"$/);
    const spans = (await response.json()).resourceSpans[0].scopeSpans[0].spans;
    // the root and step-0 were never logged; step-1 has two attempts
    expect(spans.map((span: any) => attribute(span, "helicone.node_id"))).toEqual([traceId, `${traceId}:step-0`, `${traceId}:step-0:step-1`, `${traceId}:step-0:step-1`]);
    expect(spans.map((span: any) => attribute(span, "tracewell.virtual") ?? false)).toEqual([true, true, false, false]);
    const [root, step0, failed, retried] = spans;
    expect(step0.parentSpanId).toBe(root.spanId);
    // a child hangs under its parent's span, which any OTLP viewer draws as the same tree
    expect([failed.parentSpanId, retried.parentSpanId]).toEqual([step0.spanId, step0.spanId]);
    expect(failed).toMatchObject({ status: { code: 2 } });
    expect(attribute(failed, "http.response.status_code")).toBe("500");
    expect(attribute(retried, "gen_ai.request.model")).toBe("gpt-4o-mini");
    expect(attribute(retried, "gen_ai.provider.name")).toBe("openai");
    expect(Number(attribute(retried, "gen_ai.usage.input_tokens"))).toBeGreaterThan(0);
    expect(JSON.parse(attribute(retried, "tracewell.request.body") as string)).toMatchObject({ model: "gpt-4o-mini", stream: true });
  });

  it("format=markdown is text that starts with the trace id and carries prompts and answers", async () => {
    const traceId = await logRandomTrace(stack(), { otlpTraceId: false, paths: [{ parent: 0, logged: true, attempts: [{ via: "proxy", stream: false, outcome: "ok", tag: {} }] }], spans: [] });
    const response = await exported(stack(), traceId, "markdown");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBeNull();
    const text = await response.text();
    expect(text.startsWith(traceId)).toBe(true);
    expect(text).toContain("## Tree");
    expect(text).toContain(`Step ${traceId}:step-0: what next?`);
    expect(text).toMatch(/Answer:\n```text\nassistant:\n.+/);
  });

  it("an unknown format is a 400 naming the formats there are; an unknown trace a 404; no key a 401", async () => {
    const traceId = await logRandomTrace(stack(), { otlpTraceId: false, paths: [{ parent: 0, logged: true, attempts: [{ via: "proxy", stream: false, outcome: "ok", tag: {} }] }], spans: [] });
    const bad = await exported(stack(), traceId, "csv");
    expect(bad.status).toBe(400);
    const { error } = await bad.json();
    expect(error.code).toBe("bad_request");
    for (const format of ["otlp", "json", "markdown"]) expect(error.message).toContain(`format=${format}`);

    for (const format of ["otlp", "json", "markdown"]) {
      const missing = await exported(stack(), uniqueTag("no-such-trace"), format);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ error: { code: "not_found" } });
    }
    const anonymous = await fetch(`${stack().app.url}/api/v1/traces/${traceId}/export?format=otlp`);
    expect(anonymous.status).toBe(401);
  });
});

const genai = { via: "otlp", convention: "genai", model: "gpt-4o-mini", error: null, kind: 3, startOffsetMs: 100, durationMs: 900, tag: {} } as const;

/** An LLM span with usage over a proxied call and a custom log with usage: a roll-up that costs nothing, before and after. */
const ROLLUP_OVER_CALLS: RandomTrace = {
  otlpTraceId: false,
  paths: [
    { parent: 0, logged: true, attempts: [{ ...genai, usage: { prompt: 900, completion: 120 } }] },
    {
      parent: 0,
      logged: true,
      attempts: [
        { via: "proxy", stream: true, outcome: "ok", tag: { session: "s-1" } },
        { via: "custom", status: 200, tool: false, model: "gpt-4o", usage: { prompt: 400, completion: 60 }, textAnswer: false, startOffsetMs: 300, durationMs: 250.5, timeToFirstTokenMs: 40, tag: { step: "answer" } },
      ],
    },
  ],
  spans: [],
};

/** OTLP spans placed by their ids, one of them under a parent that never arrived, one retried. */
const SPANS_UNDER_A_MISSING_PARENT: RandomTrace = {
  otlpTraceId: true,
  paths: [{ parent: 0, logged: true, attempts: [{ ...genai, usage: null, error: "exception" }] }],
  spans: [
    { parent: "missing", attempts: [{ ...genai, usage: { prompt: 10, completion: 5 } }] },
    { parent: 0, attempts: [{ ...genai, usage: null, error: "status" }, { ...genai, convention: "openinference-stream", usage: null }] },
  ],
};

function attribute(span: { attributes: Array<{ key: string; value: Record<string, unknown> }> }, key: string): unknown {
  const value = span.attributes.find((entry) => entry.key === key)?.value;
  return value === undefined ? undefined : Object.values(value)[0];
}
