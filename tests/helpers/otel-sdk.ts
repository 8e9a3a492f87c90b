// The real OpenTelemetry JS SDK (sdk-trace 3.x TracerProvider, SimpleSpanProcessor) in front of any
// span exporter, for tests that export spans as an instrumented application would.
import { context, trace, SpanKind, type Attributes as SpanAttributes, type Context, type Span } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace";

/** The SDK: one export per span as each ends (children before their parents); each export's result kept. */
export function sdk(exporter: SpanExporter, resource: SpanAttributes = { "service.name": "travel-agent" }) {
  /** ExportResultCode of each export: 0 success, 1 failed */
  const results: number[] = [];
  /** the error of each failed export, as the exporter reports it (over gRPC: a ServiceError with its code) */
  const errors: Error[] = [];
  const recording: SpanExporter = {
    export: (spans: ReadableSpan[], done) =>
      exporter.export(spans, (result) => {
        results.push(result.code);
        if (result.error) errors.push(result.error);
        done(result);
      }),
    shutdown: () => exporter.shutdown(),
  };
  const provider = new TracerProvider({ resource: resourceFromAttributes(resource), spanProcessors: [new SimpleSpanProcessor({ exporter: recording })] });
  const tracer = provider.getTracer("otlp-api-test");
  return {
    results,
    errors,
    span(name: string, startMs: number, endMs: number, parent: Span | null, attributes: SpanAttributes = {}, kind = SpanKind.INTERNAL): Span {
      const parentContext: Context = parent ? trace.setSpan(context.active(), parent) : context.active();
      const span = tracer.startSpan(name, { startTime: startMs, attributes, kind }, parentContext);
      span.end(endMs);
      return span;
    },
    /** a span that stays open until `end` is called, for parents (they end after their children) */
    open(name: string, startMs: number, parent: Span | null, attributes: SpanAttributes = {}) {
      const parentContext = parent ? trace.setSpan(context.active(), parent) : context.active();
      return tracer.startSpan(name, { startTime: startMs, attributes }, parentContext);
    },
    shutdown: () => provider.shutdown(),
  };
}
