// The Insights aggregation against a brute-force reference over random stored requests: counts,
// token sums and costs exactly, percentiles within the sketch's stated error; buckets and groups
// add up exactly to what contains them; and totals kept in pieces (per minute, per batch, stored
// and read back, merged in any order) give exactly the answer of one pass over the requests,
// which is what keeps rollups right under late, out-of-order and batched writes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LatencySketch } from "@/lib/domain/insights/latency-sketch";
import { dimensionValue, parseDimension, type Dimension, type GroupKey } from "@/lib/domain/insights/dimensions";
import { aggregateFor, type GroupedAggregates } from "@/lib/domain/insights/grouped-aggregates";
import {
  addCounters,
  addRecord,
  recordCounters,
  countersChange,
  emptyAggregate,
  mergeAggregates,
  toFigures,
  toSummary,
  type MetricsAggregate,
  type MetricsRecord,
} from "@/lib/domain/insights/metrics-aggregate";
import { Presence } from "@/lib/domain/insights/presence";
import { TimeseriesAccumulator } from "@/lib/domain/insights/timeseries";
import { bucketStarts, bucketStartOf, INTERVAL_MS, planBuckets, type BucketPlan, type RequestedInterval } from "@/lib/domain/insights/time-buckets";
import { topRows } from "@/lib/domain/insights/top-groups";
import { replacedAttemptIds } from "@/lib/domain/wasted-spend";
import { rowsArbitrary } from "../helpers/metrics-arbitraries";
import { exactPart, exactSum, expectFigures, expectPercentile } from "../helpers/metrics-expectations";
import {
  inRange,
  picoOf,
  referenceBucketStarts,
  referenceFigures,
  referenceGroups,
  referenceSummary,
  type ReferenceRow,
} from "../helpers/metrics-reference";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const BASE_MS = Date.parse("2026-03-01T00:00:00Z");

interface Scenario {
  plan: BucketPlan;
  groupBy: string | null;
  rows: ReferenceRow[];
}

/** A range (some short, some long, ends rarely aligned), a grouping, and requests in and around it. */
const scenarioArbitrary: fc.Arbitrary<Scenario> = fc
  .record({
    fromMs: fc.integer({ min: BASE_MS, max: BASE_MS + DAY }),
    spanMs: fc.oneof(fc.integer({ min: 1, max: 10 * MINUTE }), fc.integer({ min: MINUTE, max: 3 * HOUR }), fc.integer({ min: HOUR, max: 10 * DAY })),
    interval: fc.constantFrom<RequestedInterval>("auto", "minute", "hour", "day"),
    groupBy: fc.constantFrom(null, "model", "provider", "status", "userId", "sessionId", "property.customer", "property.Env"),
  })
  .chain(({ fromMs, spanMs, interval, groupBy }) => {
    const toMs = fromMs + spanMs;
    const planned = planBuckets(fromMs, toMs, interval);
    const plan = planned.ok ? planned.plan : (planBuckets(fromMs, toMs, "auto") as { ok: true; plan: BucketPlan }).plan;
    const margin = Math.ceil(spanMs / 4) + 1;
    // Some requests exactly on the edges: the range's ends and a bucket boundary inside it.
    const edges = [fromMs - 1, fromMs, toMs - 1, toMs, Math.min(toMs - 1, plan.firstStartMs + plan.intervalMs)];
    return rowsArbitrary(fromMs - margin, toMs + margin).chain((rows) =>
      fc
        .array(fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...edges) }), {
          minLength: rows.length,
          maxLength: rows.length,
        })
        .map((moves) => ({ plan, groupBy, rows: rows.map((row, i) => (moves[i] === null ? row : { ...row, startMs: moves[i]! })) })),
    );
  });

function dimensionOf(groupBy: string | null): Dimension | null {
  if (groupBy === null) return null;
  const parsed = parseDimension(groupBy);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.dimension;
}

/** What storage would hand the domain: each stored row, with whether a later retry replaced it. */
function toRecords(rows: readonly ReferenceRow[]): MetricsRecord[] {
  const replaced = replacedAttemptIds(rows);
  return rows.map((row) => ({ ...row, replaced: replaced.has(row.id) }));
}

function onePass(scenario: Scenario, records: readonly MetricsRecord[]): TimeseriesAccumulator {
  const accumulator = new TimeseriesAccumulator(scenario.plan, dimensionOf(scenario.groupBy));
  for (const record of records) accumulator.addRecord(record);
  return accumulator;
}


describe("Insights aggregation against a brute-force reference", () => {
  it("the summary equals the reference: counts, tokens, cost and wasted cost exactly, percentiles within 1 %", () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const { plan, rows } = scenario;
        const slice = inRange(rows, plan.fromMs, plan.toMs);
        const reference = referenceSummary(slice, rows);
        const records = toRecords(rows);
        // As the rollups keep them: one set per hour, stored and read back, merged over the range.
        const hours = new Map<number, Presence>();
        for (const record of records) {
          if (record.startMs < plan.fromMs || record.startMs >= plan.toMs) continue;
          const hour = Math.floor(record.startMs / HOUR);
          if (!hours.has(hour)) hours.set(hour, new Presence());
          hours.get(hour)!.addRequest(record, recordCounters(record).costPicoUsd);
        }
        const distinct = new Presence();
        for (const presence of hours.values()) distinct.mergeEncoded(presence.encode());
        const summary = toSummary(onePass(scenario, records).total(), distinct.figures());

        expect([summary.traces, summary.users, summary.sessions]).toEqual([reference.traces, reference.users, reference.sessions]);
        expectFigures(summary, reference);
        expect(picoOf(summary.wastedCost)).toBe(reference.wastedCostPico);
        expectPercentile(summary.timeToFirstTokenMs.p50, reference.timeToFirstTokenMs.p50);
        expectPercentile(summary.timeToFirstTokenMs.p95, reference.timeToFirstTokenMs.p95);
        const costPerTrace = summary.costPerTrace;
        expect([costPerTrace.p50 === null ? null : picoOf(costPerTrace.p50), costPerTrace.p95 === null ? null : picoOf(costPerTrace.p95)]).toEqual([
          reference.costPerTrace.p50Pico,
          reference.costPerTrace.p95Pico,
        ]);
      }),
    );
  });

  it("buckets are the reference's aligned buckets, each matching the reference, and add up exactly to the summary", () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const { plan, rows } = scenario;
        const accumulator = onePass(scenario, toRecords(rows));
        const { interval, buckets } = accumulator.timeseries();
        const starts = referenceBucketStarts(plan.fromMs, plan.toMs, interval);
        expect(buckets.map((b) => Date.parse(b.start))).toEqual(starts);
        buckets.forEach((bucket, i) => {
          const inBucket = inRange(rows, Math.max(starts[i]!, plan.fromMs), Math.min(starts[i]! + INTERVAL_MS[interval], plan.toMs));
          expectFigures(bucket, referenceFigures(inBucket));
        });
        expect(exactSum(buckets)).toEqual(exactPart(toFigures(accumulator.total())));
      }),
    );
  });

  it("groups match the reference's groups, null gathering requests without a value, and add up exactly to their bucket", () => {
    fc.assert(
      fc.property(
        scenarioArbitrary.filter((s) => s.groupBy !== null),
        (scenario) => {
          const { plan, rows, groupBy } = scenario;
          const { interval, buckets } = onePass(scenario, toRecords(rows)).timeseries();
          for (const bucket of buckets) {
            const startMs = Date.parse(bucket.start);
            const inBucket = inRange(rows, Math.max(startMs, plan.fromMs), Math.min(startMs + INTERVAL_MS[interval], plan.toMs));
            const reference = referenceGroups(inBucket, groupBy!);
            const expectedKeys = [...reference.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
            expect(bucket.groups!.map((g) => g.key)).toEqual(expectedKeys);
            for (const group of bucket.groups!) expectFigures(group, referenceFigures(reference.get(group.key)!));
            expect(exactSum(bucket.groups!)).toEqual(exactPart(bucket));
          }
        },
      ),
    );
  });

  it("top values by cost and by requests are the reference's, in its order", () => {
    fc.assert(
      fc.property(scenarioArbitrary.filter((s) => s.groupBy !== null), fc.integer({ min: 1, max: 5 }), (scenario, limit) => {
        const { plan, rows, groupBy } = scenario;
        const dimension = dimensionOf(groupBy)!;
        const groups: GroupedAggregates = new Map();
        for (const record of toRecords(inRange(rows, plan.fromMs, plan.toMs))) addRecord(aggregateFor(groups, dimensionValue(record, dimension)), record);
        const reference = [...referenceGroups(inRange(rows, plan.fromMs, plan.toMs), groupBy!)]
          .filter(([key]) => key !== null)
          .map(([key, members]) => ({ key: key!, ...referenceFigures(members) }));
        const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
        const byCost = [...reference].sort((a, b) => (a.costPico > b.costPico ? -1 : a.costPico < b.costPico ? 1 : byKey(a, b)));
        const byRequests = [...reference].sort((a, b) => b.requests - a.requests || byKey(a, b));
        expect(topRows(groups, "cost", limit).map((row) => [row.key, picoOf(row.cost)])).toEqual(byCost.slice(0, limit).map((r) => [r.key, r.costPico]));
        expect(topRows(groups, "requests", limit).map((row) => [row.key, row.requests])).toEqual(byRequests.slice(0, limit).map((r) => [r.key, r.requests]));
        const byLatency = topRows(groups, "latencyP95", limit);
        for (const row of byLatency) expectPercentile(row.latencyMs.p95, reference.find((r) => r.key === row.key)!.latencyMs.p95);
        const p95s = byLatency.map((row) => row.latencyMs.p95!);
        expect(p95s).toEqual([...p95s].sort((a, b) => b - a));
      }),
    );
  });
});

/** Stored and read back as storage would keep it: counters as numbers, sketches as bytes. */
function throughStorage(aggregate: MetricsAggregate): MetricsAggregate {
  return {
    ...aggregate,
    latencyMs: LatencySketch.decode(aggregate.latencyMs.encode()),
    timeToFirstTokenMs: LatencySketch.decode(aggregate.timeToFirstTokenMs.encode()),
  };
}

describe("totals kept in pieces", () => {
  it("per-minute rollups built batch by batch, stored, and merged in any order, plus the ragged ends read row by row, answer exactly what one pass answers", () => {
    fc.assert(
      fc.property(
        scenarioArbitrary.chain((scenario) =>
          fc.record({
            scenario: fc.constant(scenario),
            // which write batch each request arrived in
            batchOf: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: scenario.rows.length, maxLength: scenario.rows.length }),
            seed: fc.integer(),
          }),
        ),
        ({ scenario, batchOf, seed }) => {
          const { plan } = scenario;
          const records = toRecords(scenario.rows);
          const dimension = dimensionOf(scenario.groupBy);
          const expected = onePass(scenario, records);

          // Each batch keeps per-minute totals, per dimension value, as a write path would.
          const rollups: Array<{ minuteMs: number; key: GroupKey; aggregate: MetricsAggregate }> = [];
          const raggedEnds: MetricsRecord[] = [];
          const wholeMinutesFrom = bucketStartOf(plan.fromMs + MINUTE - 1, MINUTE);
          const wholeMinutesTo = bucketStartOf(plan.toMs, MINUTE);
          for (let batch = 0; batch <= 3; batch++) {
            const perMinute = new Map<string, { minuteMs: number; key: GroupKey; aggregate: MetricsAggregate }>();
            records.forEach((record, i) => {
              if (batchOf[i] !== batch || record.startMs < plan.fromMs || record.startMs >= plan.toMs) return;
              const minuteMs = bucketStartOf(record.startMs, MINUTE);
              if (minuteMs < wholeMinutesFrom || minuteMs + MINUTE > wholeMinutesTo) {
                raggedEnds.push(record);
                return;
              }
              const key = dimension ? dimensionValue(record, dimension) : null;
              const id = `${minuteMs}|${JSON.stringify(key)}`;
              if (!perMinute.has(id)) perMinute.set(id, { minuteMs, key, aggregate: emptyAggregate() });
              addRecord(perMinute.get(id)!.aggregate, record);
            });
            for (const piece of perMinute.values()) rollups.push({ ...piece, aggregate: throughStorage(piece.aggregate) });
          }

          const pieced = new TimeseriesAccumulator(plan, dimension);
          const order = fc.sample(fc.shuffledSubarray(rollups, { minLength: rollups.length }), { numRuns: 1, seed })[0]!;
          for (const piece of order) pieced.addRollup(piece.minuteMs, MINUTE, piece.key, piece.aggregate);
          for (const record of raggedEnds.reverse()) pieced.addRecord(record);

          expect(pieced.timeseries()).toEqual(expected.timeseries());
          expect(toFigures(pieced.total())).toEqual(toFigures(expected.total()));
        },
      ),
    );
  });

  it("merging aggregates is the same in any grouping: (a + b) + c = a + (b + c) = c + b + a", () => {
    fc.assert(
      fc.property(rowsArbitrary(BASE_MS, BASE_MS + HOUR), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 200 }), (rows, i, j) => {
        const records = toRecords(rows);
        const [cut1, cut2] = [Math.min(i, j, records.length), Math.min(Math.max(i, j), records.length)];
        const part = (list: MetricsRecord[]) => {
          const aggregate = emptyAggregate();
          for (const record of list) addRecord(aggregate, record);
          return aggregate;
        };
        const [a, b, c] = [part(records.slice(0, cut1)), part(records.slice(cut1, cut2)), part(records.slice(cut2))];
        const left = toSummary(mergeAggregates(mergeAggregates(a, b), c), NO_IDS);
        expect(toSummary(mergeAggregates(a, mergeAggregates(b, c)), NO_IDS)).toEqual(left);
        expect(toSummary(mergeAggregates(mergeAggregates(c, b), a), NO_IDS)).toEqual(left);
        expect(toSummary(part([...records].reverse()), NO_IDS)).toEqual(left);
      }),
    );
  });

  it("a request that changes after it was counted (a retry replaced it; it became a usage roll-up) is corrected by countersChange exactly", () => {
    fc.assert(
      fc.property(
        rowsArbitrary(BASE_MS, BASE_MS + HOUR).chain((rows) =>
          fc.tuple(fc.constant(toRecords(rows)), fc.array(fc.record({ replaced: fc.boolean(), usageRollup: fc.boolean() }), { minLength: rows.length, maxLength: rows.length })),
        ),
        ([before, changes]) => {
          const after = before.map((record, i) => ({ ...record, replaced: record.replaced || changes[i]!.replaced, usageRollup: record.usageRollup || changes[i]!.usageRollup }));
          const kept = emptyAggregate();
          for (const record of before) addRecord(kept, record);
          before.forEach((record, i) => addCounters(kept, countersChange(record, after[i]!)));
          const recomputed = emptyAggregate();
          for (const record of after) addRecord(recomputed, record);
          expect(toSummary(kept, NO_IDS)).toEqual(toSummary(recomputed, NO_IDS));
        },
      ),
    );
  });

  it("a rollup that reaches outside the range or across a bucket is refused: it would count requests that are not in it", () => {
    const plan = (planBuckets(BASE_MS + 30 * 1000, BASE_MS + 2 * HOUR, "hour") as { ok: true; plan: BucketPlan }).plan;
    const accumulator = new TimeseriesAccumulator(plan, null);
    expect(() => accumulator.addRollup(BASE_MS, MINUTE, null, emptyAggregate())).toThrow(RangeError);
    expect(() => accumulator.addRollup(BASE_MS + HOUR - MINUTE, 2 * MINUTE, null, emptyAggregate())).toThrow(RangeError);
    expect(() => accumulator.addRollup(BASE_MS + MINUTE, MINUTE, null, emptyAggregate())).not.toThrow();
    expect(bucketStarts(plan)).toHaveLength(2);
  });
});

const NO_IDS = { traces: 0, users: 0, sessions: 0, costPerTrace: { p50: null, p95: null } };
