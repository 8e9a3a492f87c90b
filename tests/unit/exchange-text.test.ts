import { describe, expect, it } from "vitest";
import { exchangeText } from "@/lib/domain/exchange-text";

const chatRequest = (content: string) => ({ model: "gpt-4o-mini", messages: [{ role: "system", content: "Be brief." }, { role: "user", content }] });
const chatResponse = (id: string, created: number, content: string) => ({
  id,
  object: "chat.completion",
  created,
  model: "gpt-4o-mini-2024-07-18",
  system_fingerprint: `fp_${id}`,
  choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
  usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
});

describe("a request's prompt and answer as text", () => {
  it("two runs of the same OpenAI call read the same, though the completion ids and times differ", () => {
    const first = exchangeText("proxy", chatRequest("Plan a trip"), chatResponse("chatcmpl-1", 1_700_000_000, "Go to Kyoto."));
    const second = exchangeText("proxy", chatRequest("Plan a trip"), chatResponse("chatcmpl-2", 1_700_086_400, "Go to Kyoto."));
    expect(second).toEqual(first);
    expect(first).toEqual({ prompt: "system:\nBe brief.\n\nuser:\nPlan a trip", answer: "assistant:\nGo to Kyoto." });
  });

  it("a different prompt or answer reads differently", () => {
    const base = exchangeText("proxy", chatRequest("Plan a trip"), chatResponse("a", 1, "Go to Kyoto."));
    expect(exchangeText("proxy", chatRequest("Plan a long trip"), chatResponse("a", 1, "Go to Kyoto.")).prompt).not.toBe(base.prompt);
    expect(exchangeText("proxy", chatRequest("Plan a trip"), chatResponse("a", 1, "Go to Osaka.")).answer).not.toBe(base.answer);
  });

  it("tool calls and Anthropic messages come out as text", () => {
    const toolCall = { choices: [{ message: { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "search", arguments: '{"q":"kyoto"}' } }] } }] };
    expect(exchangeText("proxy", chatRequest("x"), toolCall).answer).toBe('assistant:\n[tool call: search] {\n  "q": "kyoto"\n}');
    const anthropic = { id: "msg_1", type: "message", role: "assistant", content: [{ type: "text", text: "Hello" }] };
    expect(exchangeText("proxy", { system: "Be kind.", messages: [{ role: "user", content: "Hi" }] }, anthropic)).toEqual({
      prompt: "system:\nBe kind.\n\nuser:\nHi",
      answer: "assistant:\nHello",
    });
  });

  it("an error answer is its message", () => {
    expect(exchangeText("proxy", chatRequest("x"), { error: { message: "Rate limit reached", type: "rate_limit" } }).answer).toBe("error:\nRate limit reached");
  });

  it("an OTLP span is its input and output only: its ids, times and attributes are not content", () => {
    const span = (spanId: string, input: unknown) => ({ input, attributes: { "gen_ai.request.model": "gpt-4o" }, events: [], span: { traceId: "ab".repeat(16), spanId, parentSpanId: null }, resource: {}, scope: {} });
    const messages = [{ role: "user", content: "Summarise" }];
    const first = exchangeText("otel", span("01".repeat(8), messages), { output: "A summary." });
    expect(exchangeText("otel", span("02".repeat(8), messages), { output: "A summary." })).toEqual(first);
    expect(first).toEqual({ prompt: "user:\nSummarise", answer: "A summary." });
    expect(exchangeText("otel", span("03".repeat(8), undefined), null)).toEqual({ prompt: "", answer: "" });
    expect(exchangeText("otel", span("03".repeat(8), { query: "kyoto" }), { output: { hits: 3 } })).toEqual({ prompt: '{\n  "query": "kyoto"\n}', answer: '{\n  "hits": 3\n}' });
  });

  it("a custom-logged tool step is its JSON as logged; plain text is itself", () => {
    const tool = { _type: "tool", toolName: "search_hotels", input: { city: "Kyoto" } };
    expect(exchangeText("custom", tool, { hotels: ["Ryokan"] })).toEqual({ prompt: JSON.stringify(tool, null, 2), answer: '{\n  "hotels": [\n    "Ryokan"\n  ]\n}' });
    expect(exchangeText("custom", "raw prompt", "raw answer")).toEqual({ prompt: "raw prompt", answer: "response:\nraw answer" });
    expect(exchangeText("custom", null, null)).toEqual({ prompt: "", answer: "" });
  });
});
