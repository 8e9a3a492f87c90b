import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { ExchangeText } from "@/lib/domain/exchange-text";
import { DEFAULT_MAX_TEXT_CHARS, traceToMarkdown } from "@/lib/domain/trace-markdown";
import { randomTrace, traceOf } from "../fixtures/trace-responses";

const agent = traceOf([
  { nodeId: "trip", startMs: 0, latencyMs: 3000, costUsd: 0.0021, properties: { trace_name: "Trip planner" } },
  { nodeId: "trip:plan:search", startMs: 100, latencyMs: 800, status: 500, costUsd: 0.0005 },
  { nodeId: "trip:plan:search", startMs: 1000, latencyMs: 700, costUsd: 0.0004 },
  { nodeId: "trip:answer", startMs: 2000, latencyMs: 900, model: "mystery-model", costUsd: null },
  { nodeId: "trip:tool", startMs: 2100, latencyMs: 50, otelKind: "TOOL", costUsd: 0 },
]);

const texts = (entries: Record<string, ExchangeText>) => (id: string) => entries[id];
const idOf = (nodeId: string, attempt = 0) => agent.nodes.find((node) => node.id === nodeId)!.requests[attempt]!.id;

describe("a trace as Markdown", () => {
  it("starts with the trace id, then the totals a reader checks first", () => {
    const text = traceToMarkdown(agent, () => undefined);
    expect(text.startsWith("trip ")).toBe(true);
    expect(text.split("\n")[0]).toBe('trip · trace "Trip planner"');
    expect(text).toContain("cost $0.003 (some prices unknown: a lower bound) · duration 3 s · 5 requests · 3 levels · 80 % succeeded");
  });

  it("outlines the tree with each node's model, status, latency and cost, virtual nodes and retries said so", () => {
    const outline = traceToMarkdown(agent, () => undefined).split("## Tree\n\n")[1]!.split("\n\n")[0]!.split("\n");
    expect(outline).toEqual([
      "- trip · gpt-4o-mini · ok 200 · 3 s · $0.0021",
      "  - plan · not logged (virtual)",
      "    - search · gpt-4o-mini · ok 200 · 1.6 s · $0.0009 · 2 attempts",
      "  - answer · mystery-model · ok 200 · 900 ms · cost unknown",
      "  - tool · otel · ok 200 · 50 ms · $0",
    ]);
  });

  it("gives each request's prompt and answer as text, attempts numbered, failures with their reason", () => {
    const text = traceToMarkdown(
      agent,
      texts({
        [idOf("trip:plan:search", 0)]: { prompt: "user:\nfind hotels", answer: "" },
        [idOf("trip:plan:search", 1)]: { prompt: "user:\nfind hotels", answer: "assistant:\nHotel Bellevue" },
      }),
    );
    const first = text.split("### search · attempt 1 of 2")[1]!.split("###")[0]!;
    expect(first).toContain("`trip:plan:search` · gpt-4o-mini (openai) · failed 500 · 800 ms · $0.0005 · 10 → 20 tokens\n\nerror: upstream answered 500");
    expect(first).toContain("Prompt:\n```text\nuser:\nfind hotels\n```");
    expect(first).not.toContain("Answer:");
    const second = text.split("### search · attempt 2 of 2")[1]!.split("###")[0]!;
    expect(second).toContain("Answer:\n```text\nassistant:\nHotel Bellevue\n```");
  });

  it("cuts a long text with a marker that says how much is left out", () => {
    const long = `${"a".repeat(DEFAULT_MAX_TEXT_CHARS)}${"b".repeat(500)}`;
    const text = traceToMarkdown(agent, texts({ [idOf("trip")]: { prompt: long, answer: "short" } }));
    expect(text).toContain(`${"a".repeat(DEFAULT_MAX_TEXT_CHARS)}\n[… cut: 500 more characters]`);
    expect(text).not.toContain("b".repeat(10));
    expect(traceToMarkdown(agent, texts({ [idOf("trip")]: { prompt: long, answer: "" } }), { maxTextChars: 10 })).toContain(`aaaaaaaaaa\n[… cut: ${long.length - 10} more characters]`);
  });

  it("never lets a prompt close its own code block, nor cuts a character in half", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), fc.integer({ min: 1, max: 40 }), (prompt, max) => {
        const text = traceToMarkdown(agent, texts({ [idOf("trip")]: { prompt: `x${prompt}`, answer: "" } }), { maxTextChars: max });
        const block = text.split("Prompt:\n")[1]!;
        const fence = /^`{3,}/.exec(block)![0];
        const body = block.slice(block.indexOf("\n") + 1, block.indexOf(`\n${fence}\n`));
        expect(body.includes(fence)).toBe(false);
        // no lone surrogate at the cut: the text stays valid UTF-16
        expect(body.slice(0, body.lastIndexOf("\n[… cut") === -1 ? undefined : body.lastIndexOf("\n[… cut")).isWellFormed()).toBe(`x${prompt}`.isWellFormed());
      }),
    );
  });

  it("lists every node of any tree once, at its depth, parents before children", () => {
    for (const seed of [1, 2, 3]) {
      const trace = randomTrace(40, seed);
      const outline = traceToMarkdown(trace, () => undefined).split("## Tree\n\n")[1]!.split("\n\n")[0]!.split("\n");
      expect(outline).toHaveLength(trace.nodes.length);
      outline.forEach((line, i) => expect(line.indexOf("- ")).toBe(2 * (trace.nodes[i]!.depth - 1)));
    }
  });
});
