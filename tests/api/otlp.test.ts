import { gzipSync } from "node:zlib";
import { expect, it } from "vitest";
import { SpanKind, type Span } from "@opentelemetry/api";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import type { SpanExporter } from "@opentelemetry/sdk-trace";
import { priceUsage } from "../../lib/domain/cost";
import { sdk } from "../helpers/otel-sdk";
import { describeOnEachDatabase } from "../helpers/test-stack";
import { decodeProtobufExportResponse, jsonExportRequest, protobufExportRequest, randomHexId, type TestSpan } from "../helpers/otlp-requests";

const BODY_LIMIT = 1024 * 1024;

describeOnEachDatabase(
  "OpenTelemetry ingest: POST /v1/traces",
  (stack) => {
    const endpoint = () => `${stack().app.url}/v1/traces`;
    const auth = () => ({ Authorization: `Bearer ${stack().app.apiKey}` });
    const post = (body: Uint8Array | string, headers: Record<string, string>) =>
      fetch(endpoint(), { method: "POST", headers: { ...auth(), ...headers }, body: body as BodyInit });
    const postProtobuf = (spans: TestSpan[], headers: Record<string, string> = {}) =>
      post(protobufExportRequest(spans), { "content-type": "application/x-protobuf", ...headers });
    const getTrace = async (traceId: string) => {
      const { status, body } = await stack().api(`/api/v1/traces/${traceId}`);
      expect(status).toBe(200);
      return body;
    };

    const exporters: Array<[string, () => SpanExporter]> = [
      ["the OTLP/HTTP JSON exporter", () => new JsonExporter({ url: endpoint(), headers: auth() })],
      ["the OTLP/HTTP protobuf exporter, gzipped", () => new ProtobufExporter({ url: endpoint(), headers: auth(), compression: "gzip" as never })],
    ];

    for (const [name, exporter] of exporters) {
      it(`${name}: a nested agent trace comes back with its parents, depths, durations, tokens and cost`, async () => {
        const otel = sdk(exporter());
        const t0 = Date.now() - 60_000;
        const root = otel.open("agent.run", t0, null);
        const plan = otel.open("plan", t0 + 10, root, {
          "gen_ai.system": "openai",
          "gen_ai.operation.name": "chat",
          "gen_ai.request.model": "gpt-4o-mini",
          "gen_ai.usage.input_tokens": 1200,
          "gen_ai.usage.output_tokens": 300,
          "gen_ai.prompt.0.role": "user",
          "gen_ai.prompt.0.content": "Plan a day in Tokyo",
          "gen_ai.completion.0.role": "assistant",
          "gen_ai.completion.0.content": "Search, then compute the budget.",
        });
        const search = otel.open("tool.search", t0 + 620, plan, { "tool.name": "search" });
        // OpenInference names on one generation, the Vercel AI SDK's on the other.
        otel.span("summarise", t0 + 650, t0 + 850, search, {
          "openinference.span.kind": "LLM",
          "llm.provider": "openai",
          "llm.model_name": "gpt-4o-mini",
          "llm.token_count.prompt": 800,
          "llm.token_count.completion": 200,
        }, SpanKind.CLIENT);
        search.end(t0 + 900);
        const calculator = otel.open("tool.calculator", t0 + 910, plan, { "tool.name": "calculator" });
        otel.span("answer", t0 + 1000, t0 + 1450, calculator, {
          "ai.operationId": "ai.generateText.doGenerate",
          "ai.model.id": "gpt-4o",
          "ai.model.provider": "openai.chat",
          "ai.usage.promptTokens": 500,
          "ai.usage.completionTokens": 100,
        }, SpanKind.CLIENT);
        calculator.end(t0 + 1500);
        plan.end(t0 + 1600);
        root.end(t0 + 2000);
        await otel.shutdown();
        expect(otel.results).toEqual([0, 0, 0, 0, 0, 0]);

        // A 200 means stored: the trace is complete the moment the exporter is done.
        const body = await getTrace(root.spanContext().traceId);
        const byName = Object.fromEntries(body.nodes.map((node: any) => [node.requests[0].path, node]));
        const idOf = (span: Span) => span.spanContext().spanId;
        expect(Object.keys(byName).sort()).toEqual(["agent.run", "answer", "plan", "summarise", "tool.calculator", "tool.search"]);
        expect(byName["agent.run"]).toMatchObject({ id: idOf(root), parentId: null, depth: 1, virtual: false, selfLatencyMs: 2000 });
        expect(byName["plan"]).toMatchObject({ id: idOf(plan), parentId: idOf(root), depth: 2, selfLatencyMs: 1590 });
        expect(byName["tool.search"]).toMatchObject({ parentId: idOf(plan), depth: 3, selfLatencyMs: 280 });
        expect(byName["tool.calculator"]).toMatchObject({ parentId: idOf(plan), depth: 3, selfLatencyMs: 590 });
        expect(byName["summarise"]).toMatchObject({ parentId: idOf(search), depth: 4, selfLatencyMs: 200 });
        expect(byName["answer"]).toMatchObject({ parentId: idOf(calculator), depth: 4, selfLatencyMs: 450 });

        const cost = (model: string, promptTokens: number, completionTokens: number) =>
          priceUsage({ provider: "openai", model, usage: { promptTokens, completionTokens, cachedTokens: null, totalTokens: null } }).costUsd!;
        const expected = { summarise: cost("gpt-4o-mini", 800, 200), answer: cost("gpt-4o", 500, 100) };
        // LLM calls below it: plan's usage is taken as their roll-up, its tokens kept, its cost theirs.
        expect(byName["plan"].requests[0]).toMatchObject({ source: "otel", provider: "openai", model: "gpt-4o-mini", promptTokens: 1200, completionTokens: 300, cost: 0, usageRollup: true, latencyMs: 1590 });
        expect(byName["summarise"].requests[0]).toMatchObject({ provider: "openai", model: "gpt-4o-mini", promptTokens: 800, completionTokens: 200, cost: expected.summarise });
        expect(byName["answer"].requests[0]).toMatchObject({ provider: "openai", model: "gpt-4o", promptTokens: 500, completionTokens: 100, cost: expected.answer });
        expect(byName["tool.search"].requests[0]).toMatchObject({ provider: "otel", model: null, cost: 0, costUnknown: false });
        expect(byName["plan"].subtreeCost).toBeCloseTo(expected.summarise + expected.answer, 12);

        expect(body.metrics).toMatchObject({ nodeCount: 6, maxDepth: 4, totalDurationMs: 2000, successRate: 1, costComplete: true });
        expect(body.metrics.totalCost).toBeCloseTo(expected.summarise + expected.answer, 12);

        const { body: planRequest } = await stack().api(`/api/v1/requests/${byName["plan"].requests[0].id}`);
        expect(planRequest.requestBody.input).toEqual([{ role: "user", content: "Plan a day in Tokyo" }]);
        expect(planRequest.requestBody.resource).toMatchObject({ "service.name": "travel-agent" });
        expect(planRequest.responseBody.output).toEqual([{ role: "assistant", content: "Search, then compute the budget." }]);
      });
    }

    it("spans arrive in any order and across batches; a parent that never arrives becomes a virtual node; an error span is a failed node", async () => {
      const traceId = randomHexId(16);
      const [lost, parent, child, failed] = [randomHexId(8), randomHexId(8), randomHexId(8), randomHexId(8)];
      const t0 = Date.now() - 30_000;
      const at = (spanId: string, parentSpanId: string, start: number, end: number, extra: Partial<TestSpan> = {}): TestSpan => ({
        traceId, spanId, parentSpanId, name: `span-${spanId.slice(0, 4)}`, startMs: t0 + start, endMs: t0 + end, ...extra,
      });
      // The grandchild first, in its own batch; its parent later, naming a parent that never comes.
      expect((await postProtobuf([at(child, parent, 20, 40)])).status).toBe(200);
      const second = await post(JSON.stringify(jsonExportRequest([at(failed, parent, 50, 60, { status: { code: 2, message: "tool crashed" } }), at(parent, lost, 10, 80)])), {
        "content-type": "application/json",
      });
      expect(second.status).toBe(200);

      const body = await getTrace(traceId);
      const byId = Object.fromEntries(body.nodes.map((node: any) => [node.id, node]));
      expect(byId[lost]).toMatchObject({ virtual: true, parentId: null, depth: 1, requests: [] });
      expect(byId[parent]).toMatchObject({ parentId: lost, depth: 2 });
      expect(byId[child]).toMatchObject({ parentId: parent, depth: 3 });
      expect(byId[failed].requests[0]).toMatchObject({ status: 500, errorReason: "tool crashed" });
      expect(body.metrics).toMatchObject({ nodeCount: 3, maxDepth: 3 });
      expect(body.metrics.successRate).toBeCloseTo(2 / 3, 10);
    });

    it("Helicone names on resource and span attributes: node path, session, user and properties, on the Requests page and in the session", async () => {
      const sessionId = `otel-session-${randomHexId(8)}`;
      const agentId = `agent-${randomHexId(8)}`;
      const otel = sdk(new ProtobufExporter({ url: endpoint(), headers: auth() }), {
        "service.name": "support-bot",
        "helicone.session.id": sessionId,
        "helicone.user.id": "customer-42",
        "helicone.property.env": "staging",
      });
      const t0 = Date.now() - 20_000;
      otel.span("classify", t0, t0 + 100, null, { "helicone.node_id": `${agentId}:classify`, "Helicone-Property-Step": "classify" });
      otel.span("reply", t0 + 150, t0 + 400, null, {
        "helicone.node_id": `${agentId}:reply`,
        "helicone.property.step": "reply",
        "gen_ai.system": "anthropic",
        "gen_ai.request.model": "claude-sonnet-4-5",
        "gen_ai.usage.input_tokens": 900,
        "gen_ai.usage.output_tokens": 120,
      });
      await otel.shutdown();

      const body = await getTrace(agentId);
      expect(body.nodes.find((node: any) => node.id === agentId)).toMatchObject({ virtual: true });
      expect(body.nodes.map((node: any) => node.id).sort()).toEqual([agentId, `${agentId}:classify`, `${agentId}:reply`].sort());

      const listed = await stack().waitForRequests(`sessionId=${sessionId}&property.step=reply`, 1);
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ source: "otel", userId: "customer-42", model: "claude-sonnet-4-5", properties: { env: "staging", step: "reply" } });
      expect(listed[0].cost).toBeGreaterThan(0);

      const session = await stack().api(`/api/v1/sessions/${sessionId}`);
      expect(session.status).toBe(200);
      expect(session.body).toMatchObject({ requestCount: 2, userIds: ["customer-42"], costComplete: true });
      expect(session.body.traces.map((t: any) => t.traceId)).toEqual([agentId]);
    });

    it("malformed bodies, bad ids, gzip bombs and oversized bodies get the status the spec requires, and the server keeps serving", async () => {
      const now = Date.now();
      const good = (): TestSpan => ({ traceId: randomHexId(16), spanId: randomHexId(8), name: "ok", startMs: now - 100, endMs: now });

      const truncated = protobufExportRequest([good(), good()]).subarray(0, 30);
      const malformedProtobuf = await post(truncated, { "content-type": "application/x-protobuf" });
      expect(malformedProtobuf.status).toBe(400);
      expect(malformedProtobuf.headers.get("content-type")).toBe("application/x-protobuf");

      const malformedJson = await post('{"resourceSpans": [{"scopeSpans": ', { "content-type": "application/json" });
      expect(malformedJson.status).toBe(400);
      expect(await malformedJson.json()).toMatchObject({ code: 3, message: "Body is not valid JSON.", details: [{ reason: "invalid_json", domain: "tracewell" }] });

      // Some spans with bad ids: 200 with partial_success, the good ones stored.
      const kept = good();
      const partial = await post(JSON.stringify(jsonExportRequest([kept, { ...good(), traceId: "AAECAwQFBgcICQoLDA0ODw==" }, { ...good(), spanId: "xyz" }])), {
        "content-type": "application/json",
      });
      expect(partial.status).toBe(200);
      expect((await partial.json()).partialSuccess).toEqual({ rejectedSpans: "2", errorMessage: expect.stringContaining("2 of 3 spans rejected") });
      expect((await getTrace(kept.traceId)).nodes).toHaveLength(1);
      const partialProtobuf = await postProtobuf([good(), { ...good(), spanId: "abc" }]);
      expect(decodeProtobufExportResponse(new Uint8Array(await partialProtobuf.arrayBuffer())).partialSuccess?.rejectedSpans).toBe("1");
      // Only bad ids: nothing to keep, a permanent failure.
      expect((await postProtobuf([{ ...good(), traceId: "00" }])).status).toBe(400);

      // 64 MiB of zeros, gzipped to ~64 KiB, against a 1 MiB limit counted after decompression.
      const bomb = gzipSync(Buffer.alloc(64 * BODY_LIMIT), { level: 9 });
      expect(bomb.length).toBeLessThan(BODY_LIMIT);
      const bombed = await post(bomb, { "content-type": "application/x-protobuf", "content-encoding": "gzip" });
      expect(bombed.status).toBe(413);
      expect((await post(new Uint8Array(BODY_LIMIT + 1), { "content-type": "application/x-protobuf" })).status).toBe(413);

      expect((await post("spans", { "content-type": "text/plain" })).status).toBe(415);
      expect((await post(protobufExportRequest([good()]), { "content-type": "application/x-protobuf", Authorization: "Bearer sk-unknown" })).status).toBe(401);

      // Still serving: ingest and the read API.
      const after = good();
      expect((await postProtobuf([after])).status).toBe(200);
      expect((await getTrace(after.traceId)).nodes).toHaveLength(1);
    });

    it("text a database column could not hold (U+0000, lone surrogates) is stored as U+FFFD instead of failing the batch", async () => {
      const span: TestSpan = {
        traceId: randomHexId(16),
        spanId: randomHexId(8),
        name: "odd\u0000na\ud800me",
        startMs: Date.now() - 50,
        endMs: Date.now(),
        attributes: { note: "a\u0000b", "helicone.property.tag": "x\u0000y" },
      };
      const response = await post(JSON.stringify(jsonExportRequest([span])), { "content-type": "application/json" });
      expect(response.status).toBe(200);
      const [listed] = await stack().waitForRequests(`traceId=${span.traceId}`, 1);
      expect(listed).toMatchObject({ path: "odd\uFFFDna\uFFFDme", properties: { tag: "x\uFFFDy" } });
      // Inside the JSON body the character is an escape sequence, which both databases hold as sent.
      const { body } = await stack().api(`/api/v1/requests/${listed.id}`);
      expect(body.requestBody.attributes.note).toBe("a\u0000b");
    });
  },
  { MAX_OTLP_BODY_BYTES: String(BODY_LIMIT) },
);
