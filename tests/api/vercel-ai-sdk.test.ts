import { beforeAll, beforeEach, expect, it } from "vitest";
import { generateText, isStepCount, registerTelemetry, tool, type LanguageModelUsage } from "ai";
import { createOpenAI } from "@ai-sdk/openai";
import { OpenTelemetry } from "@ai-sdk/otel";
import { trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type SpanExporter } from "@opentelemetry/sdk-trace";
import { z } from "zod";
import type { TraceNodeDto, TraceResponse } from "../../lib/contracts/trace";
import { priceUsage } from "../../lib/domain/cost";
import type { RequestDto } from "../../lib/read-api/request-dto";
import { describeOnEachDatabase } from "../helpers/test-stack";

// The Vercel AI SDK 7 as an app sets it up: its OpenTelemetry integration registered once, spans
// through an OTel JS TracerProvider (one export per span as it ends: children first, the agent
// span last) to Tracewell's /v1/traces. The model is the mock provider, called directly.
//
// The SDK's outer `invoke_agent` span carries the summed usage of its `chat` calls; priced as
// well, it doubled the trace's cost. The structural rule (lib/domain/usage-rollup.ts) makes it a
// roll-up: tokens kept, cost 0; the calls carry the cost.

// The app's stack changes between the SQLite and the PostgreSQL runs; the SDK is set up once.
let stackExporter: SpanExporter | undefined;
const exported = new InMemorySpanExporter();
const provider = new TracerProvider({
  spanProcessors: [
    new SimpleSpanProcessor({
      exporter: { export: (spans, done) => stackExporter!.export(spans, done), shutdown: async () => {} },
    }),
    // what was sent, to learn the trace id the SDK chose
    new SimpleSpanProcessor({ exporter: exported }),
  ],
});
trace.setGlobalTracerProvider(provider);
registerTelemetry(new OpenTelemetry());

const weather = tool({ description: "Current weather", inputSchema: z.object({}), execute: async () => ({ sky: "clear", celsius: 21 }) });

/** What Tracewell charges for one chat call of gpt-4o-mini with this usage. */
function chatCost(usage: LanguageModelUsage): number {
  const { costUsd } = priceUsage({
    provider: "openai",
    model: "gpt-4o-mini",
    usage: { promptTokens: usage.inputTokens!, completionTokens: usage.outputTokens!, cachedTokens: usage.inputTokenDetails.cacheReadTokens ?? 0, totalTokens: null },
  });
  return costUsd!;
}

describeOnEachDatabase("Vercel AI SDK 7 with @ai-sdk/otel", (stack) => {
  const openai = () => createOpenAI({ baseURL: `${stack().mock.url}/v1`, apiKey: "sk-mock" });

  beforeAll(() => {
    stackExporter = new OTLPTraceExporter({ url: `${stack().app.url}/v1/traces`, headers: { Authorization: `Bearer ${stack().app.apiKey}` } });
  });
  beforeEach(() => exported.reset());

  /** Waits for every span to be exported (a 200 means stored), then reads the trace back. */
  async function storedTrace() {
    await provider.forceFlush();
    const traceIds = new Set(exported.getFinishedSpans().map((span) => span.spanContext().traceId));
    expect(traceIds.size).toBe(1);
    const { status, body } = await stack().api<TraceResponse>(`/api/v1/traces/${[...traceIds][0]}`);
    expect(status).toBe(200);
    const nodes = body.nodes;
    const named = (name: string) => nodes.filter((node) => node.requests[0]?.path === name);
    const parentName = (node: TraceNodeDto) => nodes.find((other) => other.id === node.parentId)?.requests[0]?.path ?? null;
    return { body, nodes, named, parentName };
  }

  it("generateText over chat completions: invoke_agent → step → chat, the call priced once, the agent span a roll-up of it", async () => {
    const result = await generateText({ model: openai().chat("gpt-4o-mini"), prompt: "Plan a day in Tokyo" });
    const { body, nodes, named, parentName } = await storedTrace();

    expect(nodes.map((node) => [node.requests[0].path, parentName(node), node.depth])).toEqual([
      ["invoke_agent gpt-4o-mini", null, 1],
      ["step 1", "invoke_agent gpt-4o-mini", 2],
      ["chat gpt-4o-mini", "step 1", 3],
    ]);
    const [agent] = named("invoke_agent gpt-4o-mini");
    const [chat] = named("chat gpt-4o-mini");
    expect(chat!.requests[0]).toMatchObject({ usageRollup: false, promptTokens: result.usage.inputTokens, completionTokens: result.usage.outputTokens, cost: chatCost(result.usage) });
    expect(agent!.requests[0]).toMatchObject({ usageRollup: true, cost: 0, costUnknown: false, promptTokens: result.usage.inputTokens, completionTokens: result.usage.outputTokens });
    expect(body.metrics).toMatchObject({ nodeCount: 3, costComplete: true });
    expect(body.metrics.totalCost).toBeCloseTo(chatCost(result.usage), 12);
    expect(body.metrics.totalCost).toBeGreaterThan(0);

    // The Requests list says the same of the same rows.
    const listed = await stack().waitForRequests<RequestDto>(`traceId=${body.traceId}`, 3);
    expect(listed.find((row) => row.path === "invoke_agent gpt-4o-mini")).toMatchObject({ usageRollup: true, cost: 0 });
    expect(listed.find((row) => row.path === "chat gpt-4o-mini")).toMatchObject({ usageRollup: false, cost: chatCost(result.usage) });
  });

  it("an agent that calls a tool makes two chat calls under one invoke_agent: the trace costs their sum, the agent keeps their summed tokens", async () => {
    const result = await generateText({
      model: openai().chat("gpt-4o-mini"),
      prompt: "What is the weather in Tokyo?",
      tools: { weather },
      stopWhen: isStepCount(2),
      // The tool on the first step, an answer on the second (the mock honours tool_choice).
      prepareStep: ({ stepNumber }) => ({ toolChoice: stepNumber === 0 ? "required" : "none" }),
    });
    expect(result.steps).toHaveLength(2);
    const { body, nodes, named, parentName } = await storedTrace();

    expect(nodes.map((node) => [node.requests[0].path, parentName(node)])).toEqual([
      ["invoke_agent gpt-4o-mini", null],
      ["step 1", "invoke_agent gpt-4o-mini"],
      ["chat gpt-4o-mini", "step 1"],
      ["execute_tool weather", "step 1"],
      ["step 2", "invoke_agent gpt-4o-mini"],
      ["chat gpt-4o-mini", "step 2"],
    ]);
    const calls = named("chat gpt-4o-mini").map((node) => node.requests[0]!);
    const stepCosts = result.steps.map((step) => chatCost(step.usage));
    expect(calls.map((call) => [call.promptTokens, call.completionTokens, call.cost, call.usageRollup])).toEqual(
      result.steps.map((step, i) => [step.usage.inputTokens, step.usage.outputTokens, stepCosts[i], false]),
    );
    const [agent] = named("invoke_agent gpt-4o-mini");
    expect(agent!.requests[0]).toMatchObject({
      usageRollup: true,
      cost: 0,
      promptTokens: result.totalUsage.inputTokens,
      completionTokens: result.totalUsage.outputTokens,
    });
    expect(agent!.subtreeCost).toBeCloseTo(stepCosts[0]! + stepCosts[1]!, 12);
    expect(body.metrics).toMatchObject({ nodeCount: 6, costComplete: true });
    expect(body.metrics.totalCost).toBeCloseTo(stepCosts[0]! + stepCosts[1]!, 12);
  });

  it("generateText over the Responses API (openai(model)) is priced once too", async () => {
    const result = await generateText({ model: openai()("gpt-4o-mini"), prompt: "Name three temples in Kyoto" });
    const { body, named } = await storedTrace();
    const [agent] = named("invoke_agent gpt-4o-mini");
    const [chat] = named("chat gpt-4o-mini");
    expect(chat!.requests[0]).toMatchObject({ usageRollup: false, promptTokens: result.usage.inputTokens, cost: chatCost(result.usage) });
    expect(agent!.requests[0]).toMatchObject({ usageRollup: true, cost: 0, promptTokens: result.usage.inputTokens });
    expect(body.metrics.totalCost).toBeCloseTo(chatCost(result.usage), 12);
  });
});
