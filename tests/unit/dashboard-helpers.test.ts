import { describe, expect, it } from "vitest";
import { toConversation } from "@/lib/domain/conversation";
import { formatCount, formatDuration, formatPercent, formatUsd } from "@/components/ui/format";
import { safeReturnPath } from "@/lib/auth/return-path";
import { filtersFromSearchParams, filtersKey, filtersToApiQuery, filtersToSearchParams } from "@/lib/queries/request-filters";

describe("Requests page filters in the URL", () => {
  it("round-trip through the query string with the read API's own names", () => {
    const params = new URLSearchParams("model=gpt-4&status=error&property.Step=planning&property.stage=rag&userId=u1&range=1h&request=abc&provider=openai");
    const filters = filtersFromSearchParams(params);
    expect(filters).toEqual({ model: "gpt-4", provider: "openai", status: "error", userId: "u1", range: "1h", properties: [["step", "planning"], ["stage", "rag"]] });
    expect(filtersToSearchParams(filters).toString()).toBe("model=gpt-4&provider=openai&status=error&userId=u1&range=1h&property.step=planning&property.stage=rag");
  });

  it("a relative range becomes `from` when the API is called; absolute times win over it", () => {
    const now = Date.UTC(2026, 10, 24, 12);
    expect(filtersToApiQuery({ range: "1h", properties: [] }, now).get("from")).toBe("2026-11-24T11:00:00.000Z");
    const absolute = filtersToApiQuery({ range: "1h", from: "2026-01-01T00:00:00.000Z", properties: [] }, now);
    expect(absolute.get("from")).toBe("2026-01-01T00:00:00.000Z");
    expect(absolute.has("range")).toBe(false);
  });

  it("the same filters in another order share one cache key", () => {
    const a = filtersFromSearchParams(new URLSearchParams("property.a=1&model=m&property.b=2"));
    const b = filtersFromSearchParams(new URLSearchParams("property.b=2&model=m&property.a=1"));
    expect(filtersKey(a)).toBe(filtersKey(b));
  });
});

describe("conversations from logged bodies", () => {
  it("OpenAI chat: system, user, assistant and tool calls, in order", () => {
    const messages = toConversation(
      { model: "gpt-4", messages: [{ role: "system", content: "Be brief" }, { role: "user", content: [{ type: "text", text: "Hi" }, { type: "image_url", image_url: { url: "https://x.test/cat.png" } }] }] },
      { choices: [{ message: { role: "assistant", content: null, tool_calls: [{ function: { name: "lookup", arguments: '{"id":1}' } }] } }] },
    )!;
    expect(messages.map((m) => m.role)).toEqual(["system", "user", "assistant"]);
    expect(messages[1]!.parts).toEqual([
      { kind: "text", text: "Hi" },
      { kind: "image", text: "https://x.test/cat.png" },
    ]);
    expect(messages[2]!.parts[0]).toMatchObject({ kind: "tool-call", label: "lookup", text: '{\n  "id": 1\n}' });
  });

  it("Anthropic messages: the system prompt, content blocks and the answer", () => {
    const messages = toConversation(
      { system: "You are terse", messages: [{ role: "user", content: "Hello" }] },
      { type: "message", role: "assistant", content: [{ type: "text", text: "Hi." }, { type: "tool_use", name: "search", input: { q: "x" } }] },
    )!;
    expect(messages.map((m) => `${m.role}:${m.parts.map((p) => p.kind).join("+")}`)).toEqual(["system:text", "user:text", "assistant:text+tool-call"]);
  });

  it("an error response and embeddings read as words; an unknown shape gives null", () => {
    expect(toConversation({ messages: [{ role: "user", content: "x" }] }, { error: { message: "Rate limited" } })!.at(-1)).toEqual({ role: "error", parts: [{ kind: "text", text: "Rate limited" }], from: "response" });
    expect(toConversation({ input: "q" }, { object: "list", data: [{ embedding: [0.1, 0.2, 0.3] }] })!.at(-1)!.parts[0]!.text).toBe("1 embedding × 3 dimensions");
    expect(toConversation({ foo: 1 }, { bar: 2 })).toBeNull();
  });
});

describe("formatting", () => {
  it("durations, costs and rates read at a glance", () => {
    expect([formatDuration(0), formatDuration(845.4), formatDuration(1234), formatDuration(65_000), formatDuration(null)]).toEqual(["0 ms", "845 ms", "1.23 s", "1m 05s", "—"]);
    expect([formatUsd(12.3), formatUsd(0.0312), formatUsd(0.000042), formatUsd(0), formatUsd(null, true), formatUsd(0.5, true)]).toEqual(["$12.30", "$0.0312", "$0.000042", "$0", "unknown", "$0.5000+"]);
    expect([formatPercent(1), formatPercent(0.8), formatPercent(0.625)]).toEqual(["100%", "80%", "62.5%"]);
    expect([formatCount(0), formatCount(999), formatCount(1000), formatCount(123_456), formatCount(-1_234_567), formatCount(2.5), formatCount(null)]).toEqual(["0", "999", "1,000", "123,456", "-1,234,567", "2.5", "—"]);
  });
});

describe("after login", () => {
  it("returns only to a path on this site, else to the dashboard", () => {
    expect(safeReturnPath("/requests?model=gpt-4")).toBe("/requests?model=gpt-4");
    for (const bad of ["//evil.example/x", "https://evil.example", "/\\evil.example", "javascript:alert(1)", "/login?x", "/api/v1/keys", null, 42]) {
      expect(safeReturnPath(bad)).toBe("/dashboard");
    }
  });
});
