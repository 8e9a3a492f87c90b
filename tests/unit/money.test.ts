import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { picoToUsd, roundUsd, usdToPico } from "@/lib/domain/money";

describe("costs in whole pico-dollars", () => {
  it("a stored cost (rounded to 12 decimals) converts to pico-dollars and back without loss, up to $1,000", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1_000_000_000_000_000n }), (pico) => {
        const stored = roundUsd(Number(pico) / 1e12);
        expect(usdToPico(stored)).toBe(pico);
        expect(picoToUsd(pico)).toBe(stored);
      }),
    );
  });

  it("sums are exact where float sums are not: 0.1 + 0.2 dollars is 0.3", () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(picoToUsd(usdToPico(0.1) + usdToPico(0.2))).toBe(0.3);
  });
});
