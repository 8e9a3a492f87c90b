import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoggedRequest } from "../../../lib/domain/logged-request";
import { reloadConfig } from "../../../lib/shared/config";
import { syntheticRequest } from "../../bench/synthetic-requests";
import { randomRollupTrace, shuffledBatches } from "../../fixtures/usage-rollup-traces";
import { BASE, HOUR, keptAndRebuiltRollups, metricsAnswers, recordArbitrary, withoutRollups } from "../../helpers/rollup-oracle";
import { createPostgresTestDatabase, createSqliteTestDatabase, describePostgres, type TestDatabase } from "../../helpers/test-databases";

// Retention (lib/storage/retention.ts) on each database, against the Insights rollups' oracles:
// random requests (retries on trace nodes, usage roll-up spans, properties, users, sessions) cut
// at a random time (any minute, on the hour, at midnight). After a run, no request of the
// organization older than the cutoff is left (nor its body or properties), every newer one is
// untouched, another organization without a window keeps everything, every metrics answer from
// the rollups equals the same answer from the raw rows, and the rollups equal a rebuild from the
// requests left. Then requests older than the cutoff arrive late, some while a run is going on:
// they are stored, and the next run takes them out as exactly.
const DAY = 24 * HOUR;

function retentionSuite(kind: "sqlite" | "postgres", create: () => Promise<TestDatabase>) {
  let database: TestDatabase;
  let writes: typeof import("../../../lib/storage/request-rows");
  let retention: typeof import("../../../lib/storage/retention");
  let organizationIds: [string, string];

  beforeAll(async () => {
    database = await create();
    process.env.DATABASE_URL = database.url;
    delete process.env.RETENTION_DAYS;
    reloadConfig();
    writes = await import("../../../lib/storage/request-rows");
    retention = await import("../../../lib/storage/retention");
    const { ensureFirstStart } = await import("../../../lib/auth/first-start");
    const { getDb } = await import("../../../lib/storage/db");
    const { setOrganizationRetentionDays } = await import("../../../lib/storage/organizations");
    const first = (await ensureFirstStart({})).organizationId;
    const other = (await getDb().organization.create({ data: { name: "keeps everything" } })).id;
    await setOrganizationRetentionDays(first, 1);
    organizationIds = [first, other];
  });
  afterAll(async () => {
    await (await import("../../../lib/storage/metrics")).closeMetricsReaders();
    await retention.closeRetentionPool();
    await (await import("../../../lib/storage/db")).closeDb();
    delete process.env.DATABASE_URL;
    reloadConfig();
    await database.cleanup();
  });

  /** Ids of an organization's stored requests, and how many bodies and property rows they have. */
  async function stored(organizationId: string) {
    const { getDb } = await import("../../../lib/storage/db");
    const requests = await getDb().request.findMany({ where: { organizationId }, select: { id: true } });
    const ids = new Set(requests.map((request) => request.id));
    const bodies = (await getDb().requestBody.findMany({ select: { requestId: true } })).filter((body) => ids.has(body.requestId)).length;
    return { ids: [...ids].sort(), bodies };
  }

  async function orphans() {
    const { getDb } = await import("../../../lib/storage/db");
    const ids = new Set((await getDb().request.findMany({ select: { id: true } })).map((request) => request.id));
    const bodies = (await getDb().requestBody.findMany({ select: { requestId: true } })).filter((body) => !ids.has(body.requestId));
    const properties = (await getDb().requestProperty.findMany({ select: { requestId: true } })).filter((property) => !ids.has(property.requestId));
    return { bodies: bodies.length, properties: properties.length };
  }

  async function clear() {
    const { getDb } = await import("../../../lib/storage/db");
    await getDb().requestProperty.deleteMany({});
    await getDb().requestBody.deleteMany({});
    await getDb().request.deleteMany({});
    await getDb().metricsRollup.deleteMany({});
    await getDb().metricsPresence.deleteMany({});
  }

  const idsOf = (records: readonly LoggedRequest[]) => records.map((record) => record.id).sort();
  const answers = () => metricsAnswers(organizationIds[0], new Date(BASE - HOUR + 17 * 60_000), new Date(BASE + 82 * HOUR + 5 * 60_000));

  async function expectExactRollups() {
    expect(await answers()).toEqual(await withoutRollups(answers));
    const { kept, rebuilt } = await keptAndRebuiltRollups();
    expect(kept).toEqual(rebuilt);
  }

  // a minute anywhere in the requests' span, or exactly on an hour, or at midnight
  const cutoffArbitrary = fc.oneof(
    fc.integer({ min: -2 * 60, max: 82 * 60 }).map((minutes) => BASE + minutes * 60_000),
    fc.integer({ min: -2, max: 82 }).map((hours) => BASE + hours * HOUR),
    fc.integer({ min: 0, max: 4 }).map((days) => BASE + days * DAY),
  );

  it("deletes what is older than the cutoff with its body and properties, keeps the rest, and the rollups equal a rebuild from what is left", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArbitrary(organizationIds[0]), { minLength: 1, maxLength: 60 }),
        fc.array(recordArbitrary(organizationIds[1]), { maxLength: 10 }),
        fc.array(recordArbitrary(organizationIds[0]), { maxLength: 20 }),
        fc.integer({ min: 1, max: 1_000 }),
        cutoffArbitrary,
        async (records, others, late, seed, cutoffMs) => {
          const trace = randomRollupTrace(organizationIds[0], seed);
          for (const record of trace.records) record.startTime = new Date(BASE + 3 * HOUR + (seed % 1000) * 1000);
          const mine = [...records, ...trace.records];
          for (const batch of shuffledBatches([...mine, ...others], seed)) await writes.saveLoggedRequests(batch);
          const now = new Date(cutoffMs + DAY); // the organization keeps 1 day
          const before = await stored(organizationIds[1]);

          const run = await retention.runRetention(now);
          const kept = mine.filter((record) => record.startTime.getTime() >= cutoffMs);
          expect(run.deletedRequests).toBe(mine.length - kept.length);
          const left = await stored(organizationIds[0]);
          expect(left.ids).toEqual(idsOf(kept));
          expect(left.bodies).toBe(kept.length);
          expect(await stored(organizationIds[1])).toEqual(before);
          expect(await orphans()).toEqual({ bodies: 0, properties: 0 });
          await expectExactRollups();

          // Late requests, older than the cutoff or not, half of them written while a run goes on.
          const [during, after] = [late.slice(0, late.length / 2), late.slice(late.length / 2)];
          await Promise.all([
            retention.runRetention(now),
            (async () => {
              for (const batch of shuffledBatches(during, seed)) await writes.saveLoggedRequests(batch);
            })(),
          ]);
          for (const batch of shuffledBatches(after, seed)) await writes.saveLoggedRequests(batch);
          await retention.runRetention(now);
          const keptLate = late.filter((record) => record.startTime.getTime() >= cutoffMs);
          expect((await stored(organizationIds[0])).ids).toEqual(idsOf([...kept, ...keptLate]));
          await expectExactRollups();

          await clear();
        },
      ),
      { numRuns: 12, endOnFailure: true },
    );
  }, 300_000);

  it("takes out a day's requests over many steps as exactly as over one", async () => {
    // 2,400 requests, one every 21 s from 22:30 the day before a cut at 10:30: the 258 before
    // midnight go with the older days, the next 1,800 are taken out of the cut day 500 a step,
    // and 342 stay.
    const cutoffMs = BASE + DAY + 10.5 * HOUR;
    const arbitrary = fc.array(recordArbitrary(organizationIds[0]), { minLength: 2_400, maxLength: 2_400 });
    const [records] = fc.sample(arbitrary, { seed: 15, numRuns: 1 });
    records!.forEach((record, i) => {
      record.startTime = new Date(cutoffMs - 12 * HOUR + i * 21_000);
      record.endTime = new Date(record.startTime.getTime() + record.latencyMs);
    });
    for (let i = 0; i < records!.length; i += 500) await writes.saveLoggedRequests(records!.slice(i, i + 500));

    const run = await retention.runRetention(new Date(cutoffMs + DAY));
    expect(run.deletedRequests).toBe(2_058);
    expect((await stored(organizationIds[0])).ids).toEqual(idsOf(records!.slice(2_058)));
    await expectExactRollups();
    await clear();
  }, 120_000);

  if (kind === "postgres") {
    it("runs on one instance at a time: while another instance holds the run, a run does nothing", async () => {
      const old = recordsAt(organizationIds[0], [BASE, BASE + HOUR]);
      await writes.saveLoggedRequests(old);
      const now = new Date(BASE + 2 * DAY);
      // Another instance's session, holding the run's lock.
      const other = new pg.Client({ connectionString: database.url });
      await other.connect();
      try {
        await other.query(`SELECT pg_advisory_lock(hashtext('tracewell'), hashtext('retention'))`);
        expect(await retention.runRetention(now)).toEqual({ ran: false, deletedRequests: 0, createdPartitions: [], droppedPartitions: [] });
        expect((await stored(organizationIds[0])).ids).toEqual(idsOf(old));
        await other.query(`SELECT pg_advisory_unlock(hashtext('tracewell'), hashtext('retention'))`);
        expect(await retention.runRetention(now)).toMatchObject({ ran: true, deletedRequests: 2 });
        expect((await stored(organizationIds[0])).ids).toEqual([]);
      } finally {
        await other.end();
      }
    });
  }
}

function recordsAt(organizationId: string, times: number[]): LoggedRequest[] {
  return times.map((time) => syntheticRequest(organizationId, { startTime: new Date(time), endTime: new Date(time + 200) }));
}

describe("retention in storage [sqlite]", () => retentionSuite("sqlite", () => createSqliteTestDatabase()));
describePostgres("retention in storage [postgres]", () => retentionSuite("postgres", () => createPostgresTestDatabase()));
