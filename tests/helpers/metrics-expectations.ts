/**
 * How Insights figures are held to the brute-force reference (metrics-reference.ts): counts, token
 * sums and costs exactly (costs as whole pico-dollars), percentiles within the sketch's stated
 * error. Shared by the domain's property tests and the metrics API's.
 */
import { expect } from "vitest";
import type { MetricsFigures } from "@/lib/contracts/metrics";
import { SKETCH_MIN_RESOLVED_MS, SKETCH_RELATIVE_ACCURACY } from "@/lib/domain/insights/latency-sketch";
import { picoOf, type ReferenceFigures } from "./metrics-reference";

export function expectPercentile(estimate: number | null, exact: number | null, label = "percentile"): void {
  if (exact === null) return expect(estimate, label).toBeNull();
  const allowed = exact < SKETCH_MIN_RESOLVED_MS ? SKETCH_MIN_RESOLVED_MS : exact * SKETCH_RELATIVE_ACCURACY * (1 + 1e-9);
  expect(estimate, label).not.toBeNull();
  expect(Math.abs(estimate! - exact), `${label}: ${estimate} for ${exact}`).toBeLessThanOrEqual(allowed);
}

export function expectFigures(actual: MetricsFigures, reference: ReferenceFigures, label = "figures"): void {
  expect(exactPart(actual), label).toEqual({
    requests: reference.requests,
    errors: reference.errors,
    costPico: reference.costPico,
    costComplete: reference.costComplete,
    promptTokens: reference.promptTokens,
    completionTokens: reference.completionTokens,
  });
  expectPercentile(actual.latencyMs.p50, reference.latencyMs.p50, `${label} p50`);
  expectPercentile(actual.latencyMs.p95, reference.latencyMs.p95, `${label} p95`);
  expectPercentile(actual.latencyMs.p99, reference.latencyMs.p99, `${label} p99`);
}

/** The exact parts of figures, summed: what the parts of a whole must add up to. */
export function exactSum(figures: readonly MetricsFigures[]) {
  return figures.reduce(
    (sum, f) => ({
      requests: sum.requests + f.requests,
      errors: sum.errors + f.errors,
      costPico: sum.costPico + picoOf(f.cost),
      costComplete: sum.costComplete && f.costComplete,
      promptTokens: sum.promptTokens + f.promptTokens,
      completionTokens: sum.completionTokens + f.completionTokens,
    }),
    { requests: 0, errors: 0, costPico: 0n, costComplete: true, promptTokens: 0, completionTokens: 0 },
  );
}

export const exactPart = (f: MetricsFigures) => exactSum([f]);
