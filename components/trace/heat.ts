import type { TraceModel, TraceViewNode } from "./trace-model";
import type { ColorMode } from "./trace-ui-store";

/**
 * Heat colours for "colour by latency / cost": the trace's fastest (cheapest) node → pale slate,
 * midway → amber, the bottleneck → deep orange. Scaled between the trace's own minimum and maximum, so
 * that the outliers stand out whether the trace runs in milliseconds or minutes.
 */
// Tops out at deep orange, not red: red means "failed" everywhere in the dashboard.
const STOPS: Array<[number, [number, number, number]]> = [
  [0, [203, 213, 225]], // slate-300
  [0.5, [252, 211, 77]], // amber-300
  [1, [234, 88, 12]], // orange-600
];

export function heatShare(value: number | null, min: number, max: number): number {
  if (value === null || max <= min) return 0;
  return Math.max(0, Math.min(1, (value - min) / (max - min)));
}

export function heatColor(share: number, alpha = 1): string {
  const t = Math.max(0, Math.min(1, share));
  const upper = STOPS.findIndex(([stop]) => stop >= t);
  const [t1, c1] = STOPS[Math.max(0, upper - 1)]!;
  const [t2, c2] = STOPS[Math.max(0, upper)]!;
  const f = t2 === t1 ? 0 : (t - t1) / (t2 - t1);
  const mix = (i: number) => Math.round(c1[i]! + (c2[i]! - c1[i]!) * f);
  return `rgba(${mix(0)}, ${mix(1)}, ${mix(2)}, ${alpha})`;
}

/** A node's place between the trace's fastest and slowest (or cheapest and priciest) node. */
export function nodeHeat(model: TraceModel, node: TraceViewNode, mode: ColorMode): number {
  return mode === "latency"
    ? heatShare(node.selfLatencyMs, model.minSelfLatencyMs, model.maxSelfLatencyMs)
    : heatShare(node.ownCostUsd, model.minOwnCostUsd, model.maxOwnCostUsd);
}
