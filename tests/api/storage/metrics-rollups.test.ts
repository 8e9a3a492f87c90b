import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoggedRequest } from "../../../lib/domain/logged-request";
import { toFigures, toSummary } from "../../../lib/domain/insights/metrics-aggregate";
import { planBuckets } from "../../../lib/domain/insights/time-buckets";
import { topRows } from "../../../lib/domain/insights/top-groups";
import { reloadConfig } from "../../../lib/shared/config";
import { createPostgresTestDatabase, createSqliteTestDatabase, describePostgres, type TestDatabase } from "../../helpers/test-databases";
import { syntheticRequest } from "../../bench/synthetic-requests";
import { randomRollupTrace, shuffledBatches } from "../../fixtures/usage-rollup-traces";

// The Insights rollups (lib/storage/metrics-rollups.ts) through the real write path on each
// database: random requests (retries on trace nodes, usage roll-up spans, properties, users,
// sessions) stored in random batches, some replayed as the spool does after a crash, some late,
// from two writers at once. Then (1) every metrics answer read from the rollups equals the same
// answer read from the raw rows alone, and (2) the rollups kept batch by batch equal rollups built
// from scratch over the stored rows.
const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 2, 1);

function rollupSuite(create: () => Promise<TestDatabase>) {
  let database: TestDatabase;
  let writes: typeof import("../../../lib/storage/request-rows");
  let metrics: typeof import("../../../lib/storage/metrics");
  let reads: typeof import("../../../lib/storage/metrics-rollup-reads");
  let rebuild: typeof import("../../../lib/storage/metrics-rollup-rebuild");
  let organizationIds: string[];

  beforeAll(async () => {
    database = await create();
    process.env.DATABASE_URL = database.url;
    reloadConfig();
    writes = await import("../../../lib/storage/request-rows");
    metrics = await import("../../../lib/storage/metrics");
    reads = await import("../../../lib/storage/metrics-rollup-reads");
    rebuild = await import("../../../lib/storage/metrics-rollup-rebuild");
    const { ensureFirstStart } = await import("../../../lib/auth/first-start");
    const { getDb } = await import("../../../lib/storage/db");
    const first = (await ensureFirstStart({})).organizationId;
    const other = (await getDb().organization.create({ data: { name: "other" } })).id;
    organizationIds = [first, other];
  });
  afterAll(async () => {
    await metrics.closeMetricsReaders();
    await (await import("../../../lib/storage/db")).closeDb();
    delete process.env.DATABASE_URL;
    reloadConfig();
    await database.cleanup();
  });

  const recordArbitrary = (organizationId: string) =>
    fc
      .record({
        offsetMs: fc.integer({ min: 0, max: 80 * HOUR }),
        latencyMs: fc.integer({ min: 0, max: 90_000 }),
        firstTokenMs: fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: null }),
        status: fc.constantFrom(200, 200, 201, 429, 500, 0),
        cancelled: fc.boolean(),
        model: fc.constantFrom("gpt-4o-mini", "gpt-4o", null),
        provider: fc.constantFrom("openai", "anthropic"),
        costUsd: fc.option(fc.integer({ min: 0, max: 5_000_000 }).map((micro) => micro / 1e6), { nil: null }),
        node: fc.option(fc.tuple(fc.constantFrom("t1", "t2", "t3"), fc.constantFrom("t:a", "t:a:b")), { nil: null }),
        user: fc.option(fc.constantFrom("ann", "bob"), { nil: null }),
        session: fc.option(fc.constantFrom("s1", "s2"), { nil: null }),
        env: fc.option(fc.constantFrom("prod", "dev"), { nil: null }),
        team: fc.option(fc.constantFrom("red", "blue"), { nil: null }),
      })
      .map((r): LoggedRequest => {
        const start = new Date(BASE + r.offsetMs);
        const properties: Record<string, string> = {};
        if (r.env) properties.env = r.env;
        if (r.team) properties.team = r.team;
        return syntheticRequest(organizationId, {
          startTime: start,
          endTime: new Date(start.getTime() + r.latencyMs),
          latencyMs: r.latencyMs,
          timeToFirstTokenMs: r.firstTokenMs,
          status: r.status,
          cancelled: r.cancelled,
          model: r.model,
          provider: r.provider,
          costUsd: r.costUsd,
          costUnknown: r.costUsd === null,
          traceId: r.node ? r.node[0] : null,
          nodeId: r.node ? `${r.node[0]}:${r.node[1]}` : null,
          userId: r.user,
          sessionId: r.session,
          properties,
        });
      });

  /** Every answer the rollups give, for several slices and groupings. */
  async function answers(organizationId: string) {
    const from = new Date(BASE + 17 * 60_000); // ragged ends: raw rows around whole hours
    // whole days [24 h, 72 h) inside: users' and sessions' day rows answer them
    const before = new Date(BASE + 73 * HOUR + 5 * 60_000);
    const slices: import("../../../lib/storage/metrics").MetricsSlice[] = [
      { organizationId, from, before },
      { organizationId, from, before, properties: { env: "prod" } },
      { organizationId, from, before, model: "gpt-4o", status: "ok" as const },
      { organizationId, from, before, status: "error" as const, properties: { team: "red" } },
      { organizationId, from, before, userId: "ann" },
      { organizationId, from, before, sessionId: "s1", provider: "openai" },
    ];
    const results: unknown[] = [];
    for (const slice of slices) {
      const { aggregate, distinct } = await metrics.summarizeRequests(slice);
      results.push(toSummary(aggregate, distinct));
      const dimensions = [{ kind: "model" }, { kind: "status" }, { kind: "property", key: "team" }, { kind: "property", key: "env" }, { kind: "userId" }, { kind: "sessionId" }] as const;
      for (const dimension of dimensions) {
        // what the top endpoint reports of each group (its figures; wasted cost beside them)
        const groups = await metrics.aggregateRequestsBy(slice, dimension);
        // the top endpoint's ranking, from counters first when a facet has many values
        for (const order of ["cost", "requests"] as const) results.push(topRows(await metrics.aggregateTopCandidates(slice, dimension, order, 2), order, 2));
        results.push([...groups].sort(([a], [b]) => String(a).localeCompare(String(b))).map(([key, aggregate]) => [key, toFigures(aggregate), aggregate.wastedCostPicoUsd]));
        for (const interval of ["hour", "day"] as const) {
          const plan = planBuckets(from.getTime(), before.getTime(), interval);
          if (!plan.ok) throw new Error(plan.reason);
          results.push((await metrics.requestTimeseries(slice, plan.plan, dimension)).timeseries());
        }
      }
    }
    return results;
  }

  async function withoutRollups<T>(read: () => Promise<T>): Promise<T> {
    const { getDb } = await import("../../../lib/storage/db");
    await getDb().metricsRollupState.deleteMany({});
    reads.forgetRollupsBuilt();
    try {
      return await read();
    } finally {
      await getDb().metricsRollupState.create({ data: { id: 1, builtAt: new Date() } });
      reads.forgetRollupsBuilt();
    }
  }

  async function keptRows() {
    const { getDb } = await import("../../../lib/storage/db");
    const { Presence } = await import("../../../lib/domain/insights/presence");
    const rows = (await getDb().metricsRollup.findMany()).map((row) => ({ ...row, latencySketch: Buffer.from(row.latencySketch).toString("hex"), firstTokenSketch: Buffer.from(row.firstTokenSketch).toString("hex") }));
    const presence = (await getDb().metricsPresence.findMany()).map(({ presence, ...key }) => {
      const decoded = new Presence();
      decoded.mergeEncoded(presence);
      return { ...key, traces: [...decoded.traces].sort(), users: [...decoded.users].sort(), sessions: [...decoded.sessions].sort() };
    });
    const text = (value: object) => JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    const order = (a: object, b: object) => (text(a) < text(b) ? -1 : 1);
    // A kept row nothing is left in (all its requests corrected away) is the same as none.
    return { rows: rows.filter((row) => row.requests > 0).sort(order), presence: presence.sort(order) };
  }

  it("answers from the rollups equal answers from the raw rows, and kept rollups equal rollups built from scratch", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArbitrary(organizationIds[0]!), { minLength: 1, maxLength: 60 }),
        fc.array(recordArbitrary(organizationIds[1]!), { maxLength: 10 }),
        fc.integer({ min: 1, max: 1_000 }),
        async (records, others, seed) => {
          // Agent traces whose spans become usage roll-ups once their calls arrive (marks correct the rollups).
          const trace = randomRollupTrace(organizationIds[0]!, seed);
          for (const record of trace.records) record.startTime = new Date(BASE + 3 * HOUR + (seed % 1000) * 1000);
          const all = [...records, ...trace.records, ...others];
          const batches = shuffledBatches(all, seed);
          // Two writers at once; every third batch is written again (a spool replay).
          const writer = async (parity: number) => {
            for (let i = parity; i < batches.length; i += 2) {
              await writes.saveLoggedRequests(batches[i]!);
              if (i % 3 === 0) await writes.saveLoggedRequests(batches[i]!);
            }
          };
          await Promise.all([writer(0), writer(1)]);

          const fromRollups = await answers(organizationIds[0]!);
          const fromRows = await withoutRollups(() => answers(organizationIds[0]!));
          expect(fromRollups).toEqual(fromRows);

          const kept = await keptRows();
          await rebuild.buildMetricsRollupsIfNeeded({ rebuild: true });
          expect(kept).toEqual(await keptRows());

          const { getDb } = await import("../../../lib/storage/db");
          await getDb().request.deleteMany({});
          await getDb().metricsRollup.deleteMany({});
          await getDb().metricsPresence.deleteMany({});
        },
      ),
      { numRuns: 12, endOnFailure: true },
    );
  }, 240_000);
}

describe("Insights rollups in storage [sqlite]", () => rollupSuite(() => createSqliteTestDatabase()));
describePostgres("Insights rollups in storage [postgres]", () => rollupSuite(() => createPostgresTestDatabase()));
