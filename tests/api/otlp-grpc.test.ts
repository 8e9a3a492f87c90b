import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { describe, expect, it } from "vitest";
import { Metadata, status as GrpcStatus } from "@grpc/grpc-js";
import { SpanStatusCode } from "@opentelemetry/api";
import { OTLPTraceExporter as GrpcExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { OTLPTraceExporter as ProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import type { SpanExporter } from "@opentelemetry/sdk-trace";
import { priceUsage } from "../../lib/domain/cost";
import { freePort, startApp } from "../helpers/app-server";
import { sdk } from "../helpers/otel-sdk";
import { otlpGrpcClient } from "../helpers/otlp-grpc-client";
import { protobufExportRequest, randomHexId, type TestSpan } from "../helpers/otlp-requests";
import { createSqliteTestDatabase } from "../helpers/test-databases";
import { describeOnEachDatabase, type TestStack } from "../helpers/test-stack";
import { holdWriteLock } from "../helpers/write-lock";

// What an application exporting with OpenTelemetry's gRPC exporter (the SDKs' and the Collector's
// default transport) gets: the same traces as over OTLP/HTTP, and gRPC status codes an exporter
// knows how to act on.

const BODY_LIMIT = 1024 * 1024;

function bearerMetadata(key: string): Metadata {
  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${key}`);
  return metadata;
}

/**
 * One agent run, exported span by span as each ends: root → plan (LLM) → search tool → summarise
 * (LLM), and an answer (LLM) that fails. GenAI semantic-convention attributes only. Same times
 * for the same t0, so two runs can be compared field by field.
 */
async function exportAgentRun(exporter: SpanExporter, t0: number) {
  const otel = sdk(exporter);
  const llm = (model: string, input: number, output: number) => ({
    "gen_ai.system": "openai",
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": model,
    "gen_ai.usage.input_tokens": input,
    "gen_ai.usage.output_tokens": output,
  });
  const root = otel.open("agent.run", t0, null);
  const plan = otel.open("plan", t0 + 10, root, {
    ...llm("gpt-4o-mini", 1200, 300),
    "gen_ai.prompt.0.role": "user",
    "gen_ai.prompt.0.content": "Plan a day in Tokyo",
    "gen_ai.completion.0.role": "assistant",
    "gen_ai.completion.0.content": "Search, then answer.",
  });
  const search = otel.open("tool.search", t0 + 620, plan, { "tool.name": "search" });
  otel.span("summarise", t0 + 650, t0 + 850, search, llm("gpt-4o-mini", 800, 200));
  search.end(t0 + 900);
  const answer = otel.open("answer", t0 + 1000, plan, llm("gpt-4o", 500, 0));
  answer.setStatus({ code: SpanStatusCode.ERROR, message: "upstream rate limited the call" });
  answer.end(t0 + 1450);
  plan.end(t0 + 1600);
  root.end(t0 + 2000);
  await otel.shutdown();
  return { otel, traceId: root.spanContext().traceId };
}

/**
 * A trace as the read API answers it, with the plan call's request and response bodies; span and
 * trace ids replaced by span names, record ids left out: comparable across runs.
 */
async function traceByName(stack: TestStack, traceId: string) {
  const { status, body } = await stack.api(`/api/v1/traces/${traceId}`);
  expect(status).toBe(200);
  const plan = body.nodes.find((node: any) => node.requests[0].path === "plan").requests[0];
  const { body: planDetail } = await stack.api(`/api/v1/requests/${plan.id}`);
  const names = new Map<string, string>([[traceId, "(trace)"], ...body.nodes.map((node: any): [string, string] => [node.id, node.requests[0].path])]);
  const withoutRecordIds = (node: any) => ({ ...node, requests: node.requests.map((request: any) => ({ ...request, id: undefined })) });
  let text = JSON.stringify({ metrics: body.metrics, nodes: body.nodes.map(withoutRecordIds), planBodies: { request: planDetail.requestBody, response: planDetail.responseBody } });
  for (const [id, name] of names) text = text.replaceAll(`"${id}"`, JSON.stringify(name));
  const named = JSON.parse(text);
  return { ...named, byName: Object.fromEntries(named.nodes.map((node: any) => [node.id, node])) };
}

const cost = (model: string, promptTokens: number, completionTokens: number) =>
  priceUsage({ provider: "openai", model, usage: { promptTokens, completionTokens, cachedTokens: null, totalTokens: null } }).costUsd!;

describeOnEachDatabase(
  "OpenTelemetry ingest over gRPC: TraceService/Export",
  (stack) => {
    const grpcUrl = () => `http://${stack().app.otlpGrpcAddress}`;
    const grpcExporter = (options: { compression?: "gzip"; key?: string } = {}) =>
      new GrpcExporter({ url: grpcUrl(), metadata: bearerMetadata(options.key ?? stack().app.apiKey), compression: options.compression as never });
    const rawClient = () => otlpGrpcClient(stack().app.otlpGrpcAddress!);
    const good = (): TestSpan => ({ traceId: randomHexId(16), spanId: randomHexId(8), name: "ok", startMs: Date.now() - 100, endMs: Date.now() });
    const traceStatus = async (traceId: string) => (await stack().api(`/api/v1/traces/${traceId}`)).status;

    for (const compression of [undefined, "gzip"] as const) {
      it(`the gRPC exporter${compression ? ", gzipped" : ""}: the agent trace comes back with its tree, tokens, costs and failed call, exactly as over OTLP/HTTP`, async () => {
        const t0 = Date.now() - 60_000;
        const overGrpc = await exportAgentRun(grpcExporter({ compression }), t0);
        expect(overGrpc.otel.results).toEqual([0, 0, 0, 0, 0]);

        // Stored before the answer: the trace is complete the moment the exporter is done.
        const { byName, metrics, planBodies } = await traceByName(stack(), overGrpc.traceId);
        expect(Object.keys(byName).sort()).toEqual(["agent.run", "answer", "plan", "summarise", "tool.search"]);
        expect(byName["agent.run"]).toMatchObject({ parentId: null, depth: 1, virtual: false, selfLatencyMs: 2000 });
        expect(byName["plan"]).toMatchObject({ parentId: "agent.run", depth: 2 });
        expect(byName["tool.search"]).toMatchObject({ parentId: "plan", depth: 3, selfLatencyMs: 280 });
        expect(byName["summarise"]).toMatchObject({ parentId: "tool.search", depth: 4, selfLatencyMs: 200 });
        expect(byName["answer"]).toMatchObject({ parentId: "plan", depth: 3, selfLatencyMs: 450 });

        // plan carries usage and has LLM calls below it: a roll-up of their tokens, costing nothing itself.
        expect(byName["plan"].requests[0]).toMatchObject({ source: "otel", provider: "openai", model: "gpt-4o-mini", promptTokens: 1200, completionTokens: 300, cost: 0, usageRollup: true, status: 200 });
        expect(byName["summarise"].requests[0]).toMatchObject({ model: "gpt-4o-mini", promptTokens: 800, completionTokens: 200, cost: cost("gpt-4o-mini", 800, 200) });
        expect(byName["answer"].requests[0]).toMatchObject({ model: "gpt-4o", promptTokens: 500, status: 500, errorReason: "upstream rate limited the call" });
        const total = cost("gpt-4o-mini", 800, 200) + cost("gpt-4o", 500, 0);
        expect(metrics).toMatchObject({ nodeCount: 5, maxDepth: 4, totalDurationMs: 2000, successRate: 0.8, costComplete: true });
        expect(metrics.totalCost).toBeCloseTo(total, 12);
        expect(planBodies.request.input).toEqual([{ role: "user", content: "Plan a day in Tokyo" }]);
        expect(planBodies.request.resource).toMatchObject({ "service.name": "travel-agent" });
        expect(planBodies.response.output).toEqual([{ role: "assistant", content: "Search, then answer." }]);

        // The same run over OTLP/HTTP is stored the same, field for field (ids apart).
        const overHttp = await exportAgentRun(new ProtobufExporter({ url: `${stack().app.url}/v1/traces`, headers: { Authorization: `Bearer ${stack().app.apiKey}` } }), t0);
        expect(overHttp.otel.results).toEqual([0, 0, 0, 0, 0]);
        expect(await traceByName(stack(), overHttp.traceId)).toEqual(await traceByName(stack(), overGrpc.traceId));
      });
    }

    it("a bad or missing key: the export fails with UNAUTHENTICATED and nothing is stored; the key also works as Helicone-Auth", async () => {
      const wrongKey = await exportAgentRun(grpcExporter({ key: "sk-tw-not-a-key-0123456789" }), Date.now() - 10_000);
      expect(wrongKey.otel.results).toEqual([1, 1, 1, 1, 1]);
      expect(wrongKey.otel.errors[0]).toMatchObject({ code: GrpcStatus.UNAUTHENTICATED, details: "Invalid or revoked API key." });
      expect(await traceStatus(wrongKey.traceId)).toBe(404);

      const noKey = await exportAgentRun(new GrpcExporter({ url: grpcUrl() }), Date.now() - 10_000);
      expect(noKey.otel.errors.map((error) => (error as { code?: number }).code)).toEqual(Array(5).fill(GrpcStatus.UNAUTHENTICATED));

      const client = rawClient();
      const span = good();
      expect(await client.export(protobufExportRequest([span]), { "helicone-auth": `Bearer ${stack().app.apiKey}` })).toMatchObject({ code: GrpcStatus.OK });
      expect(await client.export(protobufExportRequest([good()]), { authorization: "Bearer sk-tw-not-a-key-0123456789" })).toMatchObject({
        code: GrpcStatus.UNAUTHENTICATED,
        reason: "invalid_api_key",
        retryDelaySeconds: null,
      });
      client.close();
      expect(await traceStatus(span.traceId)).toBe(200);
    });

    it("spans no SDK would send: INVALID_ARGUMENT for bytes that do not decode and for an export with no usable span; some bad spans are a partial success", async () => {
      const client = rawClient();
      const auth = { authorization: `Bearer ${stack().app.apiKey}` };
      expect(await client.export(protobufExportRequest([good(), good()]).subarray(0, 30), auth)).toMatchObject({
        code: GrpcStatus.INVALID_ARGUMENT,
        details: expect.stringMatching(/^Body is not an OTLP ExportTraceServiceRequest in protobuf/),
        reason: "invalid_protobuf",
      });
      const badOnly = { ...good(), traceId: "00" };
      expect(await client.export(protobufExportRequest([badOnly]), auth)).toMatchObject({
        code: GrpcStatus.INVALID_ARGUMENT,
        details: expect.stringContaining("1 of 1 spans rejected"),
        reason: "invalid_spans",
      });

      const kept = good();
      const partial = await client.export(protobufExportRequest([kept, { ...good(), spanId: "abc" }, { ...good(), traceId: "00" }]), auth);
      expect(partial.code).toBe(GrpcStatus.OK);
      expect(partial.response?.partialSuccess).toEqual({ rejectedSpans: "2", errorMessage: expect.stringContaining("2 of 3 spans rejected") });
      expect(await traceStatus(kept.traceId)).toBe(200);
      client.close();
    });

    it("an export over MAX_OTLP_BODY_BYTES, gzipped or not (counted after decompression), fails RESOURCE_EXHAUSTED; the server keeps serving", async () => {
      for (const compression of [undefined, "gzip"] as const) {
        const otel = sdk(grpcExporter({ compression }));
        const span = otel.span("huge", Date.now() - 100, Date.now(), null, { "gen_ai.prompt.0.content": "a".repeat(BODY_LIMIT) });
        await otel.shutdown();
        expect(otel.results).toEqual([1]);
        // grpc-js's own words, which show the gzip exporter did compress: it is the inflated size that is refused.
        expect(otel.errors[0]).toMatchObject({
          code: GrpcStatus.RESOURCE_EXHAUSTED,
          details: compression ? `Received message that decompresses to a size larger than ${BODY_LIMIT}` : expect.stringMatching(new RegExp(`^Received message larger than max \\(\\d+ vs ${BODY_LIMIT}\\)$`)),
        });
        expect(await traceStatus(span.spanContext().traceId)).toBe(404);
      }
      const after = await exportAgentRun(grpcExporter(), Date.now() - 5_000);
      expect(after.otel.results).toEqual([0, 0, 0, 0, 0]);
      expect(await traceStatus(after.traceId)).toBe(200);
    });
  },
  { MAX_OTLP_BODY_BYTES: String(BODY_LIMIT) },
  { otlpGrpc: true },
);

// Per API key: bursts of 8, then one request every 4 s (no refill to speak of during a test).
const RATE_LIMITS = { RATE_LIMIT_PER_SECOND: "0.25", RATE_LIMIT_BURST: "8" };

describeOnEachDatabase(
  "OTLP/gRPC telling the exporter to come back later: a storage backlog, the key's rate limit",
  (stack) => {
    const queued = async () => (await (await fetch(`${stack().app.url}/api/health`)).json()).logQueue.queued as number;
    const waitForQueue = async (done: (queued: number) => boolean) => {
      for (let i = 0; i < 600 && !done(await queued()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(done(await queued())).toBe(true);
    };

    it("above OTLP_QUEUE_HIGH_WATER an export is refused UNAVAILABLE with RetryInfo, and accepted once the backlog is stored", async () => {
      const client = otlpGrpcClient(stack().app.otlpGrpcAddress!);
      const auth = { authorization: `Bearer ${stack().app.apiKey}` };
      const release = await holdWriteLock(stack().databaseUrl);
      let refused;
      try {
        // One proxied call's log waits in memory (no spool) while the database cannot be written.
        await stack().openai().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hold on" }] });
        await waitForQueue((count) => count > 0);
        const otel = sdk(new GrpcExporter({ url: `http://${stack().app.otlpGrpcAddress}`, metadata: bearerMetadata(stack().app.apiKey) }));
        otel.span("during the backlog", Date.now() - 100, Date.now(), null);
        await otel.shutdown();
        expect(otel.errors[0]).toMatchObject({ code: GrpcStatus.UNAVAILABLE, details: "Too many spans are waiting to be stored; retry later." });
        refused = await client.export(protobufExportRequest([{ traceId: randomHexId(16), spanId: randomHexId(8), name: "x", startMs: Date.now() - 1, endMs: Date.now() }]), auth);
      } finally {
        await release();
      }
      expect(refused).toMatchObject({ code: GrpcStatus.UNAVAILABLE, reason: "unavailable", retryDelaySeconds: 5 });

      await waitForQueue((count) => count === 0);
      const span: TestSpan = { traceId: randomHexId(16), spanId: randomHexId(8), name: "after the backlog", startMs: Date.now() - 1, endMs: Date.now() };
      expect((await client.export(protobufExportRequest([span]), auth)).code).toBe(GrpcStatus.OK);
      expect((await stack().api(`/api/v1/traces/${span.traceId}`)).status).toBe(200);
      client.close();
    });

    // Last in this suite: it spends the key's budget.
    it("past the key's rate limit an export is refused RESOURCE_EXHAUSTED with RetryInfo, which makes it retryable", async () => {
      const client = otlpGrpcClient(stack().app.otlpGrpcAddress!);
      const auth = { authorization: `Bearer ${stack().app.apiKey}` };
      let answer;
      for (let i = 0; i <= Number(RATE_LIMITS.RATE_LIMIT_BURST); i++) {
        answer = await client.export(protobufExportRequest([{ traceId: randomHexId(16), spanId: randomHexId(8), name: `call ${i}`, startMs: Date.now() - 1, endMs: Date.now() }]), auth);
        if (answer.code !== GrpcStatus.OK) break;
      }
      expect(answer).toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED, reason: "rate_limit_exceeded", details: expect.stringContaining("Rate limit exceeded") });
      expect(answer!.retryDelaySeconds).toBeGreaterThan(0);
      client.close();

      const otel = sdk(new GrpcExporter({ url: `http://${stack().app.otlpGrpcAddress}`, metadata: bearerMetadata(stack().app.apiKey) }));
      otel.span("over the limit", Date.now() - 100, Date.now(), null);
      await otel.shutdown();
      expect(otel.errors[0]).toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED, details: expect.stringContaining("Rate limit exceeded") });
    });
  },
  { OTLP_QUEUE_HIGH_WATER: "0", LOG_SPOOL_MAX_BYTES: "0", ...RATE_LIMITS },
  { otlpGrpc: true },
);

/** TCP ports a process listens on: its socket inodes matched against the kernel's table of listening sockets. */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // closed while listed
    }
  }
  const ports: number[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").trim().split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      const LISTEN = "0A";
      if (fields[3] === LISTEN && inodes.has(fields[9]!)) ports.push(parseInt(fields[1]!.split(":")[1]!, 16));
    }
  }
  return ports;
}

describe("OTLP_GRPC_PORT", () => {
  it("0 turns OTLP/gRPC off: the server listens on its HTTP port only", async () => {
    const database = await createSqliteTestDatabase();
    const app = await startApp({ databaseUrl: database.url, env: { OTLP_GRPC_PORT: "0" } });
    try {
      expect(app.otlpGrpcAddress).toBeNull();
      expect(listeningPorts(app.pid)).toEqual([Number(new URL(app.url).port)]);
    } finally {
      await app.stop();
      await database.cleanup();
    }
  });

  it("a port already in use: the log says OTLP/gRPC is off and how to fix it, and everything else, OTLP/HTTP included, is served", async () => {
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, "127.0.0.1", resolve));
    const database = await createSqliteTestDatabase();
    const app = await startApp({ databaseUrl: database.url, env: { OTLP_GRPC_PORT: String(port) } });
    try {
      expect(app.otlpGrpcAddress).toBeNull();
      expect(app.output()).toContain(`OTLP gRPC is OFF: could not listen on 127.0.0.1:${port}`);
      expect(app.output()).toContain("Set OTLP_GRPC_PORT to a free port, or to 0 to turn OTLP/gRPC off.");
      const span = { traceId: randomHexId(16), spanId: randomHexId(8), name: "over http", startMs: Date.now() - 1, endMs: Date.now() };
      const posted = await fetch(`${app.url}/v1/traces`, {
        method: "POST",
        headers: { authorization: `Bearer ${app.apiKey}`, "content-type": "application/x-protobuf" },
        body: protobufExportRequest([span]) as BodyInit,
      });
      expect(posted.status).toBe(200);
    } finally {
      await app.stop();
      await database.cleanup();
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
