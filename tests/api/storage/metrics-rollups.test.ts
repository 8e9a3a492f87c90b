import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reloadConfig } from "../../../lib/shared/config";
import { BASE, HOUR, keptAndRebuiltRollups, metricsAnswers, recordArbitrary, withoutRollups } from "../../helpers/rollup-oracle";
import { createPostgresTestDatabase, createSqliteTestDatabase, describePostgres, type TestDatabase } from "../../helpers/test-databases";
import { randomRollupTrace, shuffledBatches } from "../../fixtures/usage-rollup-traces";

// The Insights rollups (lib/storage/metrics-rollups.ts) through the real write path on each
// database: random requests (retries on trace nodes, usage roll-up spans, properties, users,
// sessions) stored in random batches, some replayed as the spool does after a crash, some late,
// from two writers at once. Then (1) every metrics answer read from the rollups equals the same
// answer read from the raw rows alone, and (2) the rollups kept batch by batch equal rollups built
// from scratch over the stored rows.

function rollupSuite(create: () => Promise<TestDatabase>) {
  let database: TestDatabase;
  let writes: typeof import("../../../lib/storage/request-rows");
  let metrics: typeof import("../../../lib/storage/metrics");
  let organizationIds: string[];

  beforeAll(async () => {
    database = await create();
    process.env.DATABASE_URL = database.url;
    reloadConfig();
    writes = await import("../../../lib/storage/request-rows");
    metrics = await import("../../../lib/storage/metrics");
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

  // ragged ends: raw rows around whole hours; whole days [24 h, 72 h) inside: users' and sessions' day rows answer them
  const answers = (organizationId: string) => metricsAnswers(organizationId, new Date(BASE + 17 * 60_000), new Date(BASE + 73 * HOUR + 5 * 60_000));

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

          const { kept, rebuilt } = await keptAndRebuiltRollups();
          expect(kept).toEqual(rebuilt);

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
