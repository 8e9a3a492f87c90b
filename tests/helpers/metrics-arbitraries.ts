/**
 * Random stored requests for the Insights property tests: times spread over and around a range,
 * every status class, cancellations, unknown prices, usage roll-up spans, retried trace nodes
 * (few trace and node ids, so attempts collide), users, sessions and properties.
 */
import fc from "fast-check";
import type { ReferenceRow } from "./metrics-reference";

export const STATUSES = [0, 200, 201, 204, 299, 300, 304, 400, 404, 429, 499, 500, 503];

/** Latencies with ties, zeros and a wide spread of magnitudes, as real traffic has. */
export const latencyArbitrary = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 2_000 }),
  fc.double({ min: 0, max: 600_000, noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: 0, max: 1, noNaN: true, noDefaultInfinity: true }),
);

const costArbitrary = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ costUsd: null, costUnknown: true }) },
  // stored costs are rounded to 12 decimals (roundUsd): whole pico-dollars
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 5_000_000_000 }).map((pico) => ({ costUsd: pico / 1e12, costUnknown: false })) },
);

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null, freq: 3 });

const propertiesArbitrary = fc
  .record(
    { env: fc.constantFrom("prod", "dev"), customer: fc.constantFrom("acme", "globex", "initech"), feature: fc.constantFrom("chat", "search") },
    { requiredKeys: [] },
  )
  .map((properties) => ({ ...properties }) as Record<string, string>);

/** Rows with unique ids, starting in [fromMs, toMs) (times are integers: the database keeps milliseconds). */
export function rowsArbitrary(fromMs: number, toMs: number, maxLength = 120): fc.Arbitrary<ReferenceRow[]> {
  const row = fc.record({
    startMs: fc.integer({ min: fromMs, max: toMs - 1 }),
    status: fc.constantFrom(...STATUSES),
    cancelled: fc.boolean(),
    latencyMs: latencyArbitrary,
    timeToFirstTokenMs: maybe(latencyArbitrary),
    promptTokens: maybe(fc.integer({ min: 0, max: 200_000 })),
    completionTokens: maybe(fc.integer({ min: 0, max: 50_000 })),
    cost: costArbitrary,
    usageRollup: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    traceId: maybe(fc.constantFrom("t1", "t2", "t3")),
    nodeId: maybe(fc.constantFrom("a", "a:b", "a:c")),
    model: maybe(fc.constantFrom("gpt-4o", "gpt-4o-mini", "claude-sonnet-4")),
    provider: fc.constantFrom("openai", "anthropic"),
    userId: maybe(fc.constantFrom("alice", "bob", "carol")),
    sessionId: maybe(fc.constantFrom("s1", "s2")),
    properties: propertiesArbitrary,
  });
  return fc.array(row, { maxLength }).map((rows) =>
    rows.map(({ cost, ...fields }, i) => ({ ...fields, ...cost, id: `req-${String(i).padStart(4, "0")}` })),
  );
}
