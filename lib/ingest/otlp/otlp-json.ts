import { z } from "zod";
import { ApiError } from "../../shared/api-error";
import { decodeUtf8Body } from "../read-body";
import { keyValuesToAttributes, unixNanosToMs } from "./any-value";
import type { DecodedExport, OtlpResourceSpans, OtlpSpan, SpanRejection } from "./otlp-span";

/**
 * OTLP/JSON: the proto3 JSON mapping with the spec's deviations — ids are hex (not base64), enums
 * are integers, 64-bit integers may be decimal strings or numbers, unknown fields are ignored, and
 * proto3 lets any field be absent or null. The envelope must have the right shape (else 400); each
 * span is checked on its own, so a malformed span is rejected without losing its neighbours.
 */
const keyValues = z.array(z.unknown()).nullish();
const uint64 = z.union([z.string(), z.number()]).nullish();

const envelopeSchema = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource: z.object({ attributes: keyValues }).nullish(),
        scopeSpans: z
          .array(
            z.object({
              scope: z.object({ name: z.string().nullish(), version: z.string().nullish() }).nullish(),
              spans: z.array(z.unknown()).nullish(),
            }),
          )
          .nullish(),
      }),
    )
    .nullish(),
});

const spanSchema = z.object({
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().nullish(),
  name: z.string().nullish(),
  kind: z.number().int().nullish(),
  startTimeUnixNano: uint64,
  endTimeUnixNano: uint64,
  attributes: keyValues,
  events: z.array(z.object({ name: z.string().nullish(), timeUnixNano: uint64, attributes: keyValues })).nullish(),
  status: z.object({ code: z.number().int().nullish(), message: z.string().nullish() }).nullish(),
});

/** Throws ApiError 400 when the body is not UTF-8, not JSON or not an ExportTraceServiceRequest. */
export function decodeJsonExport(body: Buffer): DecodedExport {
  const text = decodeUtf8Body(body);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError("invalid_json", "Body is not valid JSON.", 400);
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) {
    const issue = envelope.error.issues[0]!;
    throw new ApiError("invalid_otlp", `Not an OTLP ExportTraceServiceRequest: ${issue.path.join(".") || "(root)"}: ${issue.message}`, 400);
  }

  const rejected: SpanRejection[] = [];
  let position = 0;
  const resourceSpans = (envelope.data.resourceSpans ?? []).map(
    (resourceSpans): OtlpResourceSpans => ({
      resource: keyValuesToAttributes(resourceSpans.resource?.attributes),
      scopeSpans: (resourceSpans.scopeSpans ?? []).map((scopeSpans) => {
        const spans: OtlpSpan[] = [];
        for (const raw of scopeSpans.spans ?? []) {
          position++;
          const span = spanSchema.safeParse(raw);
          if (span.success) spans.push(toSpan(span.data));
          else rejected.push({ span: `#${position}`, reason: describeIssue(span.error) });
        }
        return { scope: { name: scopeSpans.scope?.name ?? "", version: scopeSpans.scope?.version ?? "" }, spans };
      }),
    }),
  );
  return { resourceSpans, rejected };
}

function toSpan(span: z.infer<typeof spanSchema>): OtlpSpan {
  return {
    traceId: span.traceId.toLowerCase(),
    spanId: span.spanId.toLowerCase(),
    parentSpanId: (span.parentSpanId ?? "").toLowerCase(),
    name: span.name ?? "",
    kind: span.kind ?? 0,
    startMs: unixNanosToMs(span.startTimeUnixNano),
    endMs: unixNanosToMs(span.endTimeUnixNano),
    attributes: keyValuesToAttributes(span.attributes),
    events: (span.events ?? []).map((event) => ({
      name: event.name ?? "",
      timeMs: unixNanosToMs(event.timeUnixNano),
      attributes: keyValuesToAttributes(event.attributes),
    })),
    statusCode: span.status?.code ?? 0,
    statusMessage: span.status?.message ?? "",
  };
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.join(".") || "span"}: ${issue.message}`;
}
