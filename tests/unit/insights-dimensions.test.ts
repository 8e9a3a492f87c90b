import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareGroupKeys, dimensionName, dimensionValue, parseDimension, type Dimension } from "@/lib/domain/insights/dimensions";
import { aggregateFor, type GroupedAggregates } from "@/lib/domain/insights/grouped-aggregates";
import { addRecord, type MetricsRecord } from "@/lib/domain/insights/metrics-aggregate";
import { topRows } from "@/lib/domain/insights/top-groups";

function dimension(text: string): Dimension {
  const result = parseDimension(text);
  if (!result.ok) throw new Error(result.reason);
  return result.dimension;
}

function record(fields: Partial<MetricsRecord>): MetricsRecord {
  return {
    startMs: 0,
    status: 200,
    cancelled: false,
    latencyMs: 100,
    timeToFirstTokenMs: null,
    promptTokens: 10,
    completionTokens: 5,
    costUsd: 0.001,
    costUnknown: false,
    usageRollup: false,
    replaced: false,
    traceId: null,
    model: "gpt-4o",
    provider: "openai",
    userId: null,
    sessionId: null,
    properties: {},
    ...fields,
  };
}

function groupsBy(text: string, records: MetricsRecord[]): GroupedAggregates {
  const groups: GroupedAggregates = new Map();
  for (const r of records) addRecord(aggregateFor(groups, dimensionValue(r, dimension(text))), r);
  return groups;
}

describe("group-by dimensions", () => {
  it("accepts the request fields and property.<key>, the key lower-cased as properties are stored", () => {
    for (const name of ["model", "provider", "status", "userId", "sessionId"]) expect(dimensionName(dimension(name))).toBe(name);
    expect(dimension("property.Customer")).toEqual({ kind: "property", key: "customer" });
  });

  it("refuses anything else with the list of what is accepted", () => {
    expect(parseDimension("property.")).toEqual({ ok: false, reason: 'cannot group by "property.": use model, provider, status, userId, sessionId or property.<key>' });
    expect(parseDimension("cost").ok).toBe(false);
  });

  it("reads each request's value, null when it has none", () => {
    const r = record({ status: 429, userId: "alice", properties: { customer: "acme" } });
    expect(dimensionValue(r, dimension("status"))).toBe("429");
    expect(dimensionValue(r, dimension("userId"))).toBe("alice");
    expect(dimensionValue(r, dimension("sessionId"))).toBeNull();
    expect(dimensionValue(r, dimension("property.customer"))).toBe("acme");
    expect(dimensionValue(r, dimension("property.constructor"))).toBeNull();
  });
});

describe("top values", () => {
  const records = [
    record({ userId: "bob", costUsd: 0.5, latencyMs: 900 }),
    record({ userId: "alice", costUsd: 0.3, latencyMs: 100 }),
    record({ userId: "alice", costUsd: 0.2, latencyMs: 120 }),
    record({ userId: "carol", costUsd: 0.5, latencyMs: 50 }),
    record({ userId: null, costUsd: 9, latencyMs: 5_000 }),
  ];

  it("by cost, ties to the smaller key; requests without a user are not a row", () => {
    expect(topRows(groupsBy("userId", records), "cost", 10).map((row) => [row.key, row.cost])).toEqual([
      ["alice", 0.5],
      ["bob", 0.5],
      ["carol", 0.5],
    ]);
  });

  it("by requests and by p95 latency, cut to the limit", () => {
    expect(topRows(groupsBy("userId", records), "requests", 1).map((row) => row.key)).toEqual(["alice"]);
    const byLatency = topRows(groupsBy("userId", records), "latencyP95", 2);
    expect(byLatency.map((row) => row.key)).toEqual(["bob", "alice"]);
    expect(Math.abs(byLatency[0]!.latencyMs.p95! - 900)).toBeLessThanOrEqual(9);
  });

  it("a row reports requests, errors, cost and whether every price was known", () => {
    const rows = topRows(groupsBy("model", [record({ status: 500 }), record({ costUsd: null, costUnknown: true })]), "cost", 10);
    expect(rows).toEqual([{ key: "gpt-4o", requests: 2, errors: 1, cost: 0.001, costComplete: false, latencyMs: { p95: expect.any(Number) } }]);
    expect(Math.abs(rows[0]!.latencyMs.p95! - 100)).toBeLessThanOrEqual(1);
  });
});

describe("group key order", () => {
  // The databases cut top rankings with ORDER BY … LIMIT in their binary collations (UTF-8 bytes,
  // i.e. code points); the final ranking in JS must agree, or a tie at the cut could differ.
  it("is the code point order of the keys, as UTF-8 bytes compare, null last", () => {
    const key = fc.oneof(fc.string({ unit: "binary" }), fc.constantFrom("\uE000", "\uFFFF", "\u{1F600}", "a\u{10000}", "a\uFFFD"));
    fc.assert(
      fc.property(key, key, (a, b) => {
        expect(Math.sign(compareGroupKeys(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"))));
      }),
    );
    expect(compareGroupKeys("\uFFFF", "\u{1F600}")).toBeLessThan(0); // UTF-16 code units would say otherwise
    expect(compareGroupKeys(null, "a")).toBeGreaterThan(0);
  });
});
