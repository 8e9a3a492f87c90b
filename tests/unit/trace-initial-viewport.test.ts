import { describe, expect, it } from "vitest";
import { FIT_MAX_ZOOM, initialViewport } from "@/components/trace/initial-viewport";
import { NODE_HEIGHT, NODE_WIDTH, toFlowElements } from "@/components/trace/to-flow-elements";
import { defaultCollapsed } from "@/components/trace/trace-collapse";
import { buildTraceModel } from "@/components/trace/trace-model";
import { chainTrace, randomTrace } from "../fixtures/trace-responses";

const SCREEN = { width: 1440, height: 800 };

/** Where a card lands on the screen under a viewport. */
function onScreen(viewport: { x: number; y: number; zoom: number }, position: { x: number; y: number }) {
  return { left: viewport.x + position.x * viewport.zoom, top: viewport.y + position.y * viewport.zoom, right: viewport.x + (position.x + NODE_WIDTH) * viewport.zoom, bottom: viewport.y + (position.y + NODE_HEIGHT) * viewport.zoom };
}
const inside = (box: ReturnType<typeof onScreen>) => box.left >= 0 && box.top >= 0 && box.right <= SCREEN.width && box.bottom <= SCREEN.height;

describe("initialViewport: the trace's first view, computed before the canvas mounts", () => {
  it("a small tree is shown whole, centred, never zoomed in past the fit limit", () => {
    const model = buildTraceModel(randomTrace(8, 3));
    const { positions } = toFlowElements(model, new Set());
    const viewport = initialViewport(positions, SCREEN, { focusId: null, rootId: model.rootIds[0]! })!;
    expect(viewport.zoom).toBeLessThanOrEqual(FIT_MAX_ZOOM);
    for (const id of Object.keys(positions)) expect(inside(onScreen(viewport, positions[id]!))).toBe(true);
  });

  it("a tree too wide to read when fitted opens at a readable zoom with the root in view", () => {
    const model = buildTraceModel(randomTrace(2_000, 2));
    const { positions } = toFlowElements(model, defaultCollapsed(model));
    const rootId = model.rootIds[0]!;
    const viewport = initialViewport(positions, SCREEN, { focusId: null, rootId })!;
    expect(viewport.zoom).toBeGreaterThanOrEqual(0.55);
    expect(inside(onScreen(viewport, positions[rootId]!))).toBe(true);
  });

  it("the node named in the URL is centred when the tree does not fit legibly", () => {
    const model = buildTraceModel(randomTrace(2_000, 2));
    const { positions } = toFlowElements(model, defaultCollapsed(model));
    const focusId = Object.keys(positions).at(-1)!;
    const viewport = initialViewport(positions, SCREEN, { focusId, rootId: model.rootIds[0]! })!;
    const box = onScreen(viewport, positions[focusId]!);
    expect((box.left + box.right) / 2).toBeCloseTo(SCREEN.width / 2, 5);
    expect((box.top + box.bottom) / 2).toBeCloseTo(SCREEN.height / 2, 5);
  });

  it("a folded 100-level chain opens on its root; nothing laid out or no room gives no view", () => {
    const model = buildTraceModel(chainTrace(100));
    const { positions } = toFlowElements(model, defaultCollapsed(model));
    const rootId = model.rootIds[0]!;
    const viewport = initialViewport(positions, SCREEN, { focusId: null, rootId })!;
    expect(inside(onScreen(viewport, positions[rootId]!))).toBe(true);
    expect(initialViewport({}, SCREEN, { focusId: null, rootId: null })).toBeNull();
    expect(initialViewport(positions, { width: 0, height: 0 }, { focusId: null, rootId: null })).toBeNull();
  });
});
