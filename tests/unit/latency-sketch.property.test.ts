import { DDSketch } from "@datadog/sketches-js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LatencySketch, SKETCH_MIN_RESOLVED_MS, SKETCH_RELATIVE_ACCURACY } from "@/lib/domain/insights/latency-sketch";
import { latencyArbitrary } from "../helpers/metrics-arbitraries";
import { exactQuantile } from "../helpers/metrics-reference";

const QUANTILES = [0, 0.5, 0.95, 0.99, 1];

function sketchOf(values: readonly number[]): LatencySketch {
  const sketch = LatencySketch.empty();
  for (const value of values) sketch.add(value);
  return sketch;
}

const answers = (sketch: LatencySketch) => QUANTILES.map((q) => sketch.quantile(q));

/**
 * Within the stated relative error of the exact value at that rank (a hair more for float
 * rounding), or within the smallest resolved latency below it.
 */
function expectWithinAccuracy(estimate: number | null, exact: number | null): void {
  if (exact === null) return expect(estimate).toBeNull();
  expect(estimate).not.toBeNull();
  const allowed = exact < SKETCH_MIN_RESOLVED_MS ? SKETCH_MIN_RESOLVED_MS : exact * SKETCH_RELATIVE_ACCURACY * (1 + 1e-9);
  expect(Math.abs(estimate! - exact)).toBeLessThanOrEqual(allowed);
}

const samples = fc.array(latencyArbitrary, { maxLength: 400 });

describe("latency sketch", () => {
  it("answers every percentile within 1 % of the exact value at rank ⌊q·(n − 1)⌋", () => {
    fc.assert(
      fc.property(samples, fc.double({ min: 0, max: 1, noNaN: true }), (values, q) => {
        const sketch = sketchOf(values);
        for (const quantile of [...QUANTILES, q]) expectWithinAccuracy(sketch.quantile(quantile), exactQuantile(values, quantile));
      }),
    );
  });

  it("is the lower quantile: p50 of 1, 2, 3, 4 ms is about 2 ms, p99 of a hundred values is about the 99th", () => {
    expectWithinAccuracy(sketchOf([4, 1, 3, 2]).quantile(0.5), 2);
    const hundred = Array.from({ length: 100 }, (_, i) => (i + 1) * 10);
    expectWithinAccuracy(sketchOf(hundred).quantile(0.99), 990);
  });

  it("merging two sketches answers exactly what one sketch of both samples answers, and encodes the same", () => {
    fc.assert(
      fc.property(samples, samples, (a, b) => {
        const merged = sketchOf(a);
        merged.merge(sketchOf(b));
        const together = sketchOf([...b, ...a]);
        expect(answers(merged)).toEqual(answers(together));
        expect(merged.count).toBe(a.length + b.length);
        expect(merged.encode()).toEqual(together.encode());
      }),
    );
  });

  it("merging leaves the merged-in sketch as it was", () => {
    const source = sketchOf([5, 50, 500]);
    const before = source.encode();
    sketchOf([1]).merge(source);
    LatencySketch.empty().merge(source);
    expect(source.encode()).toEqual(before);
  });

  it("decodes what it encoded: same answers, same bytes, and adding to either gives the same sketch", () => {
    fc.assert(
      fc.property(samples, samples, (values, more) => {
        const sketch = sketchOf(values);
        const decoded = LatencySketch.decode(sketch.encode());
        expect(decoded.count).toBe(values.length);
        expect(answers(decoded)).toEqual(answers(sketch));
        expect(decoded.encode()).toEqual(sketch.encode());
        for (const value of more) {
          sketch.add(value);
          decoded.add(value);
        }
        expect(decoded.encode()).toEqual(sketch.encode());
        expect(answers(decoded)).toEqual(answers(sketch));
      }),
    );
  });

  it("encodes compactly for a database column: tens of bytes for a few values", () => {
    expect(LatencySketch.empty().encode().length).toBeLessThan(48);
    expect(sketchOf([120]).encode().length).toBeLessThan(64);
    expect(sketchOf([100, 110, 125, 0]).encode().length).toBeLessThan(160);
  });

  it("answers null when empty, 0 for zero latencies, and counts negative latencies as 0", () => {
    expect(answers(LatencySketch.empty())).toEqual([null, null, null, null, null]);
    expect(answers(sketchOf([0, 0, 0]))).toEqual([0, 0, 0, 0, 0]);
    expect(sketchOf([-5]).quantile(0.5)).toBe(0);
  });

  it("stays small whatever absurd latencies a custom log sends", () => {
    const sketch = sketchOf([1e-300, 5e-324, 0.0004, 1e300, Number.MAX_VALUE, 250]);
    expect(sketch.quantile(0)).toBe(0);
    expect(sketch.encode().length).toBeLessThan(16_000);
  });

  it("leaves out a latency that is not a number", () => {
    const sketch = sketchOf([Number.NaN, Number.POSITIVE_INFINITY, 10]);
    expect(sketch.count).toBe(1);
    expectWithinAccuracy(sketch.quantile(0), 10);
  });

  it("refuses a stored sketch kept at another accuracy, which could not merge", () => {
    const coarse = new DDSketch({ relativeAccuracy: 0.05 });
    coarse.accept(10);
    expect(() => LatencySketch.decode(coarse.toProto())).toThrow(/γ/);
  });

  it("refuses bytes that are not a latency sketch rather than answering from them", () => {
    expect(() => LatencySketch.decode(new Uint8Array([0x0a, 0x03, 1, 2, 3]))).toThrow();
    expect(() => LatencySketch.decode(new Uint8Array())).toThrow(/mapping/);
    const negative = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
    negative.accept(-5);
    expect(() => LatencySketch.decode(negative.toProto())).toThrow(/negative/);
  });

  it("reads a sketch the library itself encoded, padding bins and all", () => {
    const library = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
    for (const value of [3, 40, 500, 0]) library.accept(value);
    const decoded = LatencySketch.decode(library.toProto());
    expect(decoded.count).toBe(4);
    expect(answers(decoded)).toEqual(answers(sketchOf([3, 40, 500, 0])));
    expect(decoded.encode()).toEqual(sketchOf([0, 500, 40, 3]).encode());
  });
});
