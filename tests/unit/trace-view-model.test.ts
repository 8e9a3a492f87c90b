import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collapseAll, defaultCollapsed, expandAll, isShown, unfoldPathTo, visibleNodes } from "@/components/trace/trace-collapse";
import { buildTraceModel } from "@/components/trace/trace-model";
import { navigate, searchTrace } from "@/components/trace/trace-keyboard";
import { chainTrace, randomTrace, traceOf } from "../fixtures/trace-responses";

describe("trace view model", () => {
  it("labels a node by its Step/Stage/Aspect property, else its model, and marks virtual nodes", () => {
    const model = buildTraceModel(
      traceOf([
        { nodeId: "agent:plan", properties: { step: "planning" }, startMs: 0 },
        { nodeId: "agent:rag", properties: { stage: "embedding" }, model: "text-embedding-3-small", startMs: 10 },
        { nodeId: "agent:bare", model: "gpt-4", startMs: 20 },
      ]),
    );
    expect(model.byId.get("agent")).toMatchObject({ isVirtual: true, status: "virtual", detail: "virtual · not logged" });
    expect(model.byId.get("agent:plan")!.label).toBe("planning");
    expect(model.byId.get("agent:rag")!.label).toBe("embedding");
    expect(model.byId.get("agent:bare")).toMatchObject({ label: "gpt-4", detail: "bare · openai" });
  });

  it("an OTLP span's node shows its kind (Langfuse's observation type); the trace takes the name its nodes carry", () => {
    const model = buildTraceModel(
      traceOf([
        { nodeId: "t", otelKind: "SPAN", startMs: 0 },
        { nodeId: "t:planner", otelKind: "AGENT", properties: { trace_name: "travel-planner" }, startMs: 5 },
        { nodeId: "t:planner:plan-llm", otelKind: "GENERATION", model: "gpt-4o-mini", startMs: 10 },
        { nodeId: "t:proxied", startMs: 20 },
      ]),
    );
    expect(model.name).toBe("travel-planner");
    expect(model.byId.get("t:planner")).toMatchObject({ kind: "AGENT", label: "planner", detail: "agent · otel" });
    expect(model.byId.get("t:planner:plan-llm")).toMatchObject({ kind: "GENERATION", label: "gpt-4o-mini", detail: "generation · plan-llm · otel" });
    expect(model.byId.get("t:proxied")).toMatchObject({ kind: null, detail: "proxied · openai" });
    expect(buildTraceModel(traceOf([{ nodeId: "t" }])).name).toBeNull();
  });

  it("a node retried after a failure is ok and counts its failed attempt; the last failure decides otherwise", () => {
    const model = buildTraceModel(
      traceOf([
        { nodeId: "r", startMs: 0, latencyMs: 1000 },
        { nodeId: "r:lookup", startMs: 10, status: 500 },
        { nodeId: "r:lookup", startMs: 200, status: 200 },
        { nodeId: "r:pay", startMs: 20, status: 503 },
      ]),
    );
    expect(model.byId.get("r:lookup")).toMatchObject({ status: "ok", failedAttempts: 1 });
    expect(model.byId.get("r:lookup")!.attempts).toHaveLength(2);
    expect(model.byId.get("r:pay")!.status).toBe("error");
    expect(model.failedCount).toBe(1);
  });

  it("finds the slowest and the most expensive node by their own latency and cost", () => {
    const model = buildTraceModel(
      traceOf([
        { nodeId: "r", startMs: 0, latencyMs: 50, costUsd: 0.001 },
        { nodeId: "r:slow", startMs: 60, latencyMs: 3000, costUsd: 0.002 },
        { nodeId: "r:pricey", startMs: 70, latencyMs: 100, costUsd: 0.5 },
      ]),
    );
    expect(model.slowestId).toBe("r:slow");
    expect(model.priciestId).toBe("r:pricey");
    // The root spans its children, yet only its own 50 ms count here.
    expect(model.byId.get("r")!.selfLatencyMs).toBe(50);
  });

  it("a roll-up shows the number of LLM calls below it, not a cost, and is never the priciest node", () => {
    const model = buildTraceModel(
      traceOf([
        { nodeId: "agent", usageRollup: true },
        { nodeId: "agent:step-1:chat", costUsd: 0.002 },
        { nodeId: "agent:step-2:chat", costUsd: 0.003 },
      ]),
    );
    expect(model.byId.get("agent")).toMatchObject({ usageRollup: true, llmCallsBelow: 2, ownCostUsd: 0, promptTokens: 10 });
    expect(model.byId.get("agent:step-1")).toMatchObject({ isVirtual: true, usageRollup: false, llmCallsBelow: 1 });
    expect(model.priciestId).toBe("agent:step-2:chat");
    expect(model.metrics.totalCost).toBeCloseTo(0.005, 12);
  });

  it("children keep start-time order and descendant counts add up, whatever order nodes arrive in", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 1000 }), (size, seed) => {
        const response = randomTrace(size, seed);
        const shuffled = { ...response, nodes: [...response.nodes].reverse() };
        const model = buildTraceModel(shuffled);
        expect(model.nodes).toHaveLength(response.nodes.length);
        for (const node of model.nodes) {
          expect(node.descendantCount).toBe(node.childIds.reduce((sum, id) => sum + model.byId.get(id)!.descendantCount + 1, 0));
          const starts = node.childIds.map((id) => model.byId.get(id)!.startMs);
          expect(starts).toEqual([...starts].sort((a, b) => a - b));
        }
        // Parents come before their children.
        const index = new Map(model.nodes.map((n, i) => [n.id, i]));
        for (const node of model.nodes) if (node.parentId) expect(index.get(node.parentId)!).toBeLessThan(index.get(node.id)!);
      }),
      { numRuns: 60 },
    );
  });
});

describe("folding large traces", () => {
  it("a small trace opens fully expanded", () => {
    const model = buildTraceModel(randomTrace(40));
    expect(defaultCollapsed(model).size).toBe(0);
    expect(visibleNodes(model, new Set())).toHaveLength(40);
  });

  it("a 10,000-node trace opens with a readable number of cards, and every node can still be reached", () => {
    const model = buildTraceModel(randomTrace(10_000, 3));
    const folds = defaultCollapsed(model);
    const shown = visibleNodes(model, folds);
    expect(shown.length).toBeLessThanOrEqual(150 + 600);
    expect(shown.length).toBeGreaterThan(1);
    const byNumber = (n: number) => model.nodes.find((node) => node.id.endsWith(`:n${n}`))!.id;
    for (const id of [byNumber(9999), byNumber(5000), model.nodes.at(-1)!.id]) {
      const unfolded = unfoldPathTo(model, folds, id);
      expect(isShown(model, unfolded, id)).toBe(true);
      expect(visibleNodes(model, unfolded).some((n) => n.id === id)).toBe(true);
    }
  });

  it("a 100-level chain opens folded below level 12 and unfolds one level at a time", () => {
    const model = buildTraceModel(chainTrace(100));
    const folds = defaultCollapsed(model);
    const shown = visibleNodes(model, folds);
    expect(shown).toHaveLength(12);
    expect(shown.at(-1)!.descendantCount).toBe(88);
    const next = new Set(folds);
    next.delete(shown.at(-1)!.id);
    expect(visibleNodes(model, next)).toHaveLength(13);
  });

  it("a node with a huge fan-out starts folded unless it is the root", () => {
    const specs = [{ nodeId: "r", startMs: 0 }, { nodeId: "r:a", startMs: 1 }];
    for (let i = 0; i < 200; i++) specs.push({ nodeId: `r:a:c${i}`, startMs: 2 + i });
    const model = buildTraceModel(traceOf(specs));
    expect(defaultCollapsed(model).has("r:a")).toBe(true);
    const wideRoot = buildTraceModel(traceOf([{ nodeId: "w", startMs: 0 }, ...Array.from({ length: 200 }, (_, i) => ({ nodeId: `w:c${i}`, startMs: 1 + i }))]));
    expect(visibleNodes(wideRoot, defaultCollapsed(wideRoot))).toHaveLength(201);
  });

  it("expand all stops at the limit; collapse all keeps the roots' children", () => {
    const model = buildTraceModel(randomTrace(2000, 11));
    expect(visibleNodes(model, expandAll(model, 3000))).toHaveLength(2000);
    expect(visibleNodes(model, expandAll(model, 500)).length).toBeLessThanOrEqual(500 + 600);
    const folded = visibleNodes(model, collapseAll(model));
    expect(folded.every((n) => n.depth <= 2)).toBe(true);
  });
});

describe("keyboard and search", () => {
  const model = buildTraceModel(
    traceOf([
      { nodeId: "r", startMs: 0, latencyMs: 900 },
      { nodeId: "r:a", startMs: 10, properties: { step: "plan" } },
      { nodeId: "r:a:x", startMs: 20 },
      { nodeId: "r:b", startMs: 300, properties: { step: "act" }, status: 500 },
    ]),
  );
  const rows = model.nodes.map((n) => n.id);

  it("in the tree, down goes to the first child, up to the parent, left and right between siblings", () => {
    expect(navigate(model, rows, "r", "ArrowDown", "tree")).toEqual({ id: "r:a", unfold: true });
    expect(navigate(model, rows, "r:a", "ArrowRight", "tree")!.id).toBe("r:b");
    expect(navigate(model, rows, "r:b", "ArrowLeft", "tree")!.id).toBe("r:a");
    expect(navigate(model, rows, "r:a:x", "ArrowUp", "tree")!.id).toBe("r:a");
    expect(navigate(model, rows, "r:b", "ArrowRight", "tree")).toBeNull();
    expect(navigate(model, rows, null, "ArrowDown", "tree")!.id).toBe("r");
  });

  it("in the timeline, up and down walk the rows", () => {
    expect(navigate(model, rows, "r:a:x", "ArrowDown", "timeline")!.id).toBe("r:b");
    expect(navigate(model, rows, "r:b", "ArrowUp", "timeline")!.id).toBe("r:a:x");
    expect(navigate(model, rows, "r:a", "ArrowLeft", "timeline")!.id).toBe("r");
  });

  it("search matches labels, ids, status codes and property values, every word", () => {
    expect(searchTrace(model, "plan")).toEqual(["r:a"]);
    expect(searchTrace(model, "500")).toEqual(["r:b"]);
    expect(searchTrace(model, "r:a")).toEqual(["r:a", "r:a:x"]);
    expect(searchTrace(model, "act 500")).toEqual(["r:b"]);
    expect(searchTrace(model, "   ")).toEqual([]);
  });
});
