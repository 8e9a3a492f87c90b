// What a Langfuse user's program does, set up as Langfuse's docs show: LangfuseSpanProcessor on a
// NodeTracerProvider, configured only by LANGFUSE_BASE_URL, LANGFUSE_PUBLIC_KEY and
// LANGFUSE_SECRET_KEY, then observations made with @langfuse/tracing. Run by
// tests/api/langfuse.test.ts as a child process:
//
//   node send-trace.mjs <run tag> [--protobuf]
//
// --protobuf hands the processor an OTLP/protobuf exporter (its `exporter` option) with the URL
// and headers it would build itself; without it the processor's own exporter sends OTLP/JSON.
// Prints one JSON line: the trace id, the span id of each observation by name, and the export
// errors the SDK reported (an HTTP status as `code`).
import { LangfuseSpanProcessor } from "@langfuse/otel";
import { propagateAttributes, startActiveObservation, startObservation } from "@langfuse/tracing";
import { setGlobalErrorHandler } from "@opentelemetry/core";
import { OTLPTraceExporter as ProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

const [tag, format] = process.argv.slice(2);
if (!tag) throw new Error("usage: node send-trace.mjs <run tag> [--protobuf]");

const errors = [];
const recordError = (error) => errors.push({ message: String(error?.message ?? error), code: error?.code ?? null });
setGlobalErrorHandler(recordError);

const protobufExporter = () => {
  const { LANGFUSE_BASE_URL, LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY } = process.env;
  return new ProtobufExporter({
    url: `${LANGFUSE_BASE_URL}/api/public/otel/v1/traces`,
    headers: { Authorization: `Basic ${Buffer.from(`${LANGFUSE_PUBLIC_KEY}:${LANGFUSE_SECRET_KEY}`).toString("base64")}` },
  });
};
const langfuseSpanProcessor = new LangfuseSpanProcessor(format === "--protobuf" ? { exporter: protobufExporter() } : {});
const tracerProvider = new NodeTracerProvider({ spanProcessors: [langfuseSpanProcessor] });
tracerProvider.register();

const spans = {};
const seen = (observation, name) => ((spans[name] = observation.id), observation);
let traceId = null;

await startActiveObservation("handle-request", async (root) => {
  traceId = root.traceId;
  seen(root, "handle-request");
  await propagateAttributes(
    { traceName: `travel-planner ${tag}`, sessionId: `session-${tag}`, userId: `user-${tag}`, metadata: { Plan: "pro", region: "eu-west" } },
    async () => {
      root.update({ input: { question: "Plan two days in Kyoto" }, metadata: { region: "from-the-observation", Entry: "web" } });

      await startActiveObservation(
        "planner",
        async (agent) => {
          seen(agent, "planner");
          agent.update({ input: { goal: "itinerary" } });
          seen(
            startObservation(
              "plan-llm",
              {
                model: "gpt-4o-mini",
                input: [
                  { role: "system", content: "You plan trips." },
                  { role: "user", content: "Plan two days in Kyoto" },
                ],
              },
              { asType: "generation" },
            ),
            "plan-llm",
          )
            .update({
              output: { role: "assistant", content: "Day 1: Fushimi Inari. Day 2: Arashiyama." },
              usageDetails: { input: 1000, input_cached_tokens: 200, output: 300 },
            })
            .end();
          seen(startObservation("search-flights", { input: { from: "CDG", to: "KIX" } }, { asType: "tool" }), "search-flights")
            .update({ output: { flights: 3 } })
            .end();
          seen(startObservation("hotel-docs", { input: { query: "ryokan near Gion" } }, { asType: "retriever" }), "hotel-docs")
            .update({ output: [{ id: "doc-1" }, { id: "doc-2" }] })
            .end();
          seen(startObservation("book-hotel", { input: { hotel: "Gion Ryokan" } }, { asType: "tool" }), "book-hotel")
            .update({ level: "ERROR", statusMessage: "hotel API timed out after 30 s" })
            .end();
          agent.update({ output: { steps: 4 } });
        },
        { asType: "agent" },
      );

      seen(
        startObservation(
          "summarise",
          {
            model: "gpt-4o",
            input: "Summarise the plan",
            usageDetails: { prompt_tokens: 500, completion_tokens: 100, total_tokens: 600, prompt_tokens_details: { cached_tokens: 100 } },
            costDetails: { input: 0.0011, output: 0.0007, total: 0.00183 },
          },
          { asType: "generation" },
        ),
        "summarise",
      )
        .update({ output: "Two days: shrines, then bamboo." })
        .end();
      seen(startObservation("embed-query", { model: "text-embedding-3-small", input: "ryokan near Gion", usageDetails: { input: 800 } }, { asType: "embedding" }), "embed-query").end();
      seen(startObservation("pii-check", { input: "Plan two days in Kyoto", output: { passed: true } }, { asType: "guardrail" }), "pii-check").end();
      root.update({ output: { answer: "Two days: shrines, then bamboo." } });
    },
  );
});

try {
  await langfuseSpanProcessor.forceFlush();
  await tracerProvider.shutdown();
} catch (error) {
  recordError(error);
}
process.stdout.write(`${JSON.stringify({ traceId, spans, errors })}\n`);
