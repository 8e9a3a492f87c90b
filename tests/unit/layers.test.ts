import { cruise, type IViolation } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";
import { describe, expect, it } from "vitest";

// The house's layers (.dependency-cruiser.cjs states them) hold for every import of the app's own
// code: a back-arrow or a cycle fails `npm test` with the rule it breaks and the modules involved.
const ROOTS = ["app", "components", "lib", "server.ts", "proxy.ts"];

function describeViolation({ rule, from, to, cycle }: IViolation): string {
  const path = cycle ? [from, ...cycle.map((step) => step.name)].join(" → ") : `${from} → ${to}`;
  return `${rule.name}: ${path}`;
}

describe("layers", () => {
  it("every import follows the house's layers, with no cycles", async () => {
    const options = await extractDepcruiseOptions("./.dependency-cruiser.cjs");
    const result = await cruise(ROOTS, { ...options, validate: true }, {}, { tsConfig: extractTSConfig("./tsconfig.json") });
    if (typeof result.output === "string") throw new Error("dependency-cruiser answered text, not a result");
    expect(result.output.summary.violations.map(describeViolation)).toEqual([]);
    // The check saw the code: hundreds of modules, not an empty glob.
    expect(result.output.modules.length).toBeGreaterThan(150);
  }, 120_000);
});
