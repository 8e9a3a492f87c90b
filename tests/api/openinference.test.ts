import { expect, it } from "vitest";
import OpenAI from "openai";
import * as openaiModule from "openai";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { OpenAIInstrumentation } from "@arizeai/openinference-instrumentation-openai";
import { priceUsage } from "../../lib/domain/cost";
import { describeOnEachDatabase } from "../helpers/test-stack";

// Arize Phoenix users instrument the OpenAI SDK with OpenInference and export OTLP: pointed at
// us, the same code gives a tree whose LLM calls carry model, tokens, cost and the conversation.

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
// ESM: the instrumentation cannot hook the import, so the module is handed to it (as its README says).
const instrumentation = new OpenAIInstrumentation();
instrumentation.manuallyInstrument(openaiModule as never);

describeOnEachDatabase("OpenInference's OpenAI instrumentation over OTLP", (stack) => {
  it("an agent span with a plain and a streamed chat call becomes a tree with tokens, cost and content", async () => {
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ "service.name": "phoenix-user" }),
      spanProcessors: [
        new SimpleSpanProcessor({
          exporter: new OTLPTraceExporter({ url: `${stack().app.url}/v1/traces`, headers: { Authorization: `Bearer ${stack().app.apiKey}` } }),
        }),
      ],
    });
    instrumentation.setTracerProvider(provider);
    const tracer = provider.getTracer("my-agent");
    // The user's client goes straight to the provider (here the mock): only spans reach us.
    const client = new OpenAI({ apiKey: "sk-provider", baseURL: `${stack().mock.url}/v1`, maxRetries: 0 });

    let traceId = "";
    let answer = "";
    let usage: OpenAI.CompletionUsage | undefined;
    let streamed = "";
    await tracer.startActiveSpan("answer-question", async (agent) => {
      traceId = agent.spanContext().traceId;
      const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Name a planet" }] });
      answer = completion.choices[0]!.message.content!;
      usage = completion.usage;
      const stream = await client.chat.completions.create({
        model: "gpt-4o",
        messages: [{ role: "user", content: "Describe it" }],
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? "";
      agent.end();
    });
    await provider.shutdown();
    expect(trace.getSpan(context.active())).toBeUndefined();

    const { status, body } = await stack().api(`/api/v1/traces/${traceId}`);
    expect(status).toBe(200);
    const root = body.nodes.find((node: any) => node.parentId === null);
    expect(root.requests[0]).toMatchObject({ path: "answer-question", provider: "otel", cost: 0 });
    const calls = body.nodes.filter((node: any) => node.parentId === root.id).map((node: any) => node.requests[0]);
    expect(calls).toHaveLength(2);
    const [plain, streamedCall] = [calls.find((call: any) => call.model?.startsWith("gpt-4o-mini")), calls.find((call: any) => call.model === "gpt-4o")];
    expect(plain).toMatchObject({ source: "otel", provider: "openai", promptTokens: usage!.prompt_tokens, completionTokens: usage!.completion_tokens });
    const expectedCost = priceUsage({ provider: "openai", model: plain.model, usage: { promptTokens: usage!.prompt_tokens, completionTokens: usage!.completion_tokens, cachedTokens: null, totalTokens: null } }).costUsd!;
    expect(plain.cost).toBeCloseTo(expectedCost, 12);
    // The instrumentation records no usage for a stream: the tokens are counted from the content.
    expect(streamedCall).toMatchObject({ model: "gpt-4o", stream: true, tokensEstimated: true });
    expect(streamedCall.completionTokens).toBeGreaterThan(5);
    expect(streamedCall.cost).toBeGreaterThan(0);
    expect(body.metrics.totalCost).toBeCloseTo(plain.cost + streamedCall.cost, 12);

    const { body: detail } = await stack().api(`/api/v1/requests/${plain.id}`);
    expect(JSON.stringify(detail.requestBody.input)).toContain("Name a planet");
    expect(JSON.stringify(detail.responseBody.output)).toContain(answer);
    const { body: streamedDetail } = await stack().api(`/api/v1/requests/${streamedCall.id}`);
    expect(JSON.stringify(streamedDetail.responseBody.output)).toContain(streamed);
  });
});
