import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { layoutPositions, NODE_HEIGHT, NODE_WIDTH, toFlowElements, type LayoutInput } from "@/components/trace/to-flow-elements";
import { defaultCollapsed, visibleNodes } from "@/components/trace/trace-collapse";
import { buildTraceModel } from "@/components/trace/trace-model";
import { chainTrace, randomTrace, traceOf } from "../fixtures/trace-responses";

describe("toFlowElements: the trace tree laid out top-down", () => {
  it("one card per shown node and one edge per shown parent link, nothing else", () => {
    const model = buildTraceModel(randomTrace(80, 5));
    const { nodes, edges } = toFlowElements(model, new Set());
    expect(nodes.map((n) => n.id).sort()).toEqual(model.nodes.map((n) => n.id).sort());
    expect(edges).toHaveLength(79);
    for (const edge of edges) expect(model.byId.get(edge.target)!.parentId).toBe(edge.source);
  });

  it("parents sit above their children, cards never overlap, and siblings run left to right by start time", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 60 }), fc.integer({ min: 1, max: 500 }), (size, seed) => {
        const model = buildTraceModel(randomTrace(size, seed));
        const { nodes } = toFlowElements(model, new Set());
        const at = new Map(nodes.map((n) => [n.id, n.position]));
        for (const node of model.nodes) {
          if (node.parentId) expect(at.get(node.parentId)!.y).toBeLessThan(at.get(node.id)!.y);
          const xs = node.childIds.map((id) => at.get(id)!.x);
          expect(xs).toEqual([...xs].sort((a, b) => a - b));
        }
        for (let i = 0; i < nodes.length; i++) {
          for (let j = i + 1; j < nodes.length; j++) {
            const a = nodes[i]!.position;
            const b = nodes[j]!.position;
            expect(Math.abs(a.x - b.x) >= NODE_WIDTH || Math.abs(a.y - b.y) >= NODE_HEIGHT).toBe(true);
          }
        }
      }),
      { numRuns: 25 },
    );
  });

  it("any forest, in any order: every card is one row below its parent, roots share the top row, no two cards overlap", () => {
    // parent codes: -1 no parent, -2 a parent that is not laid out (folded away), else an earlier card
    const forest = fc.array(fc.integer({ min: -2, max: 1_000 }), { minLength: 1, maxLength: 150 });
    fc.assert(
      fc.property(forest, fc.boolean(), (codes, reversed) => {
        const items: LayoutInput[] = codes.map((code, i) => ({ id: `n${i}`, parentId: code === -1 || i === 0 ? null : code === -2 ? "gone" : `n${code % i}` }));
        if (reversed) items.reverse();
        const positions = layoutPositions(items);
        expect(Object.keys(positions)).toHaveLength(items.length);
        const isRoot = (item: LayoutInput) => item.parentId === null || !positions[item.parentId];
        const top = Math.min(...items.map((item) => positions[item.id]!.y));
        const rowSteps = new Set<number>();
        for (const item of items) {
          if (isRoot(item)) expect(positions[item.id]!.y).toBe(top);
          else rowSteps.add(positions[item.id]!.y - positions[item.parentId!]!.y);
        }
        expect(rowSteps.size).toBeLessThanOrEqual(1);
        for (const step of rowSteps) expect(step).toBeGreaterThanOrEqual(NODE_HEIGHT);
        // siblings, and trees of their own, left to right in the order given
        const lastX = new Map<string | null, number>();
        for (const item of items) {
          const key = isRoot(item) ? null : item.parentId;
          const x = positions[item.id]!.x;
          if (lastX.has(key)) expect(x).toBeGreaterThan(lastX.get(key)!);
          lastX.set(key, x);
        }
        const boxes = Object.values(positions);
        for (let i = 0; i < boxes.length; i++) {
          for (let j = i + 1; j < boxes.length; j++) {
            expect(Math.abs(boxes[i]!.x - boxes[j]!.x) >= NODE_WIDTH || Math.abs(boxes[i]!.y - boxes[j]!.y) >= NODE_HEIGHT).toBe(true);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it("a parent is centred over its first and last child", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 300 }), fc.integer({ min: 1, max: 500 }), (size, seed) => {
        const model = buildTraceModel(randomTrace(size, seed));
        const { positions } = toFlowElements(model, new Set());
        for (const node of model.nodes) {
          if (node.childIds.length === 0) continue;
          const first = positions[node.childIds[0]!]!.x;
          const last = positions[node.childIds.at(-1)!]!.x;
          expect(positions[node.id]!.x).toBeCloseTo((first + last) / 2, 6);
        }
      }),
      { numRuns: 25 },
    );
  });

  it("each depth is one row", () => {
    const model = buildTraceModel(traceOf([{ nodeId: "r" }, { nodeId: "r:leaf", startMs: 1 }, { nodeId: "r:mid", startMs: 2 }, { nodeId: "r:mid:x", startMs: 3 }]));
    const { nodes } = toFlowElements(model, new Set());
    const y = (id: string) => nodes.find((n) => n.id === id)!.position.y;
    expect(y("r:leaf")).toBe(y("r:mid"));
    expect(y("r:mid:x")).toBeGreaterThan(y("r:mid"));
  });

  it("only the critical path's edges are marked critical; edges into failed nodes are marked failed", () => {
    const model = buildTraceModel(
      traceOf([
        { nodeId: "r", startMs: 0, latencyMs: 100 },
        { nodeId: "r:fast", startMs: 110, latencyMs: 50 },
        { nodeId: "r:slow", startMs: 110, latencyMs: 900 },
        { nodeId: "r:bad", startMs: 120, latencyMs: 10, status: 500 },
      ]),
    );
    const { edges } = toFlowElements(model, new Set());
    const cls = (target: string) => edges.find((e) => e.target === target)!.className;
    expect(cls("r:slow")).toBe("trace-edge-critical");
    expect(cls("r:fast")).toBeUndefined();
    expect(cls("r:bad")).toBe("trace-edge-failed");
  });

  it("a folded node reports how many nodes it hides; a 100-level chain lays out only what is shown", () => {
    const model = buildTraceModel(chainTrace(100));
    const folds = defaultCollapsed(model);
    const { nodes } = toFlowElements(model, folds);
    expect(nodes).toHaveLength(visibleNodes(model, folds).length);
    const folded = nodes.find((n) => n.data.collapsed)!;
    expect(folded.data.hiddenCount).toBe(model.byId.get(folded.id)!.descendantCount);
  });
});
