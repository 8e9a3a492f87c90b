import { describe, expect, it } from "vitest";
import { spanToLoggedRequest, spanContext } from "../../lib/ingest/otlp/span-to-record";
import { emptyAttributes, type Attributes, type OtlpSpan } from "../../lib/ingest/otlp/otlp-span";
import { countTextTokens } from "../../lib/ingest/providers/token-estimate";

function span(attributes: Record<string, string | number | boolean>): OtlpSpan {
  const now = Date.now();
  const attrs: Attributes = Object.assign(emptyAttributes(), attributes);
  return {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    parentSpanId: "",
    name: "OpenAI Chat Completions",
    kind: 1,
    startMs: now - 100,
    endMs: now,
    attributes: attrs,
    events: [],
    statusCode: 0,
    statusMessage: "",
  } as OtlpSpan;
}
const map = (s: OtlpSpan) => {
  const mapped = spanToLoggedRequest(s, spanContext("org", Date.now(), emptyAttributes(), { name: "t", version: "1" } as never));
  if (!mapped.ok) throw new Error(mapped.reason);
  return mapped.record;
};

describe("an LLM span that reports no usage", () => {
  const streamed = {
    "openinference.span.kind": "LLM",
    "llm.model_name": "gpt-4o",
    "llm.system": "openai",
    "llm.invocation_parameters": '{"model":"gpt-4o","stream":true}',
    "input.value": '{"model":"gpt-4o","messages":[{"role":"user","content":"Describe Mars in one line"}],"stream":true}',
    "input.mime_type": "application/json",
    "output.value": "A cold red desert planet with the tallest volcano known.",
    "output.mime_type": "text/plain",
  };

  it("is a stream when its invocation parameters say so, with tokens counted from its text, marked estimated and priced", () => {
    const record = map(span(streamed));
    expect(record).toMatchObject({
      stream: true,
      tokensEstimated: true,
      promptTokens: countTextTokens("Describe Mars in one line", "gpt-4o"),
      completionTokens: countTextTokens("A cold red desert planet with the tallest volcano known.", "gpt-4o"),
      costUnknown: false,
    });
    expect(record.costUsd).toBeGreaterThan(0);
  });

  it("keeps reported usage as reported", () => {
    const record = map(span({ ...streamed, "llm.token_count.prompt": 9, "llm.token_count.completion": 4 }));
    expect(record).toMatchObject({ tokensEstimated: false, promptTokens: 9, completionTokens: 4 });
  });

  it("is not counted without a model or without an answer: no call to price", () => {
    const { "llm.model_name": _model, ...withoutModel } = streamed;
    expect(map(span(withoutModel))).toMatchObject({ tokensEstimated: false, completionTokens: null, costUsd: 0 });
    const { "output.value": _output, ...withoutAnswer } = streamed;
    expect(map(span(withoutAnswer))).toMatchObject({ tokensEstimated: false, completionTokens: null, costUsd: 0 });
  });
});
