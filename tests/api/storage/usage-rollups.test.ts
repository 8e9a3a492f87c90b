import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoggedRequest } from "../../../lib/domain/logged-request";
import { reloadConfig } from "../../../lib/shared/config";
import { createPostgresTestDatabase, createSqliteTestDatabase, describePostgres, type TestDatabase } from "../../helpers/test-databases";
import { syntheticRequest } from "../../bench/synthetic-requests";
import { randomRollupTrace, shuffledBatches, type RollupTrace } from "../../fixtures/usage-rollup-traces";

// Usage roll-ups are marked by storage after each committed batch (lib/storage/usage-rollups.ts).
// Through the real write path on each database: random agent traces stored in random orders and
// random batches end up with the same marks, and every reader (the trace API's rows and metrics,
// the sessions and users lists) counts each call's cost once while the roll-ups keep their tokens.
function usageRollupSuite(kind: "sqlite" | "postgres", create: () => Promise<TestDatabase>) {
  let database: TestDatabase;
  let writes: typeof import("../../../lib/storage/request-rows");
  let traceRows: typeof import("../../../lib/storage/trace-rows");
  let getTrace: typeof import("../../../lib/read-api/get-trace");
  let sessions: typeof import("../../../lib/storage/sessions");
  let endUsers: typeof import("../../../lib/storage/end-users");
  let organizationId: string;

  beforeAll(async () => {
    database = await create();
    process.env.DATABASE_URL = database.url;
    reloadConfig();
    writes = await import("../../../lib/storage/request-rows");
    traceRows = await import("../../../lib/storage/trace-rows");
    getTrace = await import("../../../lib/read-api/get-trace");
    sessions = await import("../../../lib/storage/sessions");
    endUsers = await import("../../../lib/storage/end-users");
    organizationId = (await (await import("../../../lib/auth/first-start")).ensureFirstStart({})).organizationId;
  });
  afterAll(async () => {
    await traceRows.closeTraceReaders();
    await (await import("../../../lib/storage/db")).closeDb();
    delete process.env.DATABASE_URL;
    reloadConfig();
    await database.cleanup();
  });

  async function traceJson(traceId: string) {
    const chunks = [...(await getTrace.getTraceJsonForApi(organizationId, traceId))];
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  }

  async function expectMarked(trace: RollupTrace) {
    const traceId = trace.records[0]!.traceId!;
    const rows = await traceRows.findTraceRows(organizationId, traceId);
    expect(new Set(rows.filter((row) => row.usageRollup).map((row) => row.id))).toEqual(trace.rollupIds);
    const logged = new Map(trace.records.map((record) => [record.id, record]));
    for (const row of rows) {
      // Tokens stay on every row, roll-ups included; a roll-up's cost is 0 and known.
      expect(row.promptTokens).toBe(logged.get(row.id)!.promptTokens);
      if (row.usageRollup) expect(row).toMatchObject({ source: "otel", costUsd: 0, costUnknown: false });
      else expect(row.costUsd).toBeCloseTo(logged.get(row.id)!.costUsd!, 12);
    }
    const body = await traceJson(traceId);
    expect(body.metrics.totalCost).toBeCloseTo(trace.totalCostUsd, 9);
    expect(body.metrics.costComplete).toBe(true);
  }

  const traceFor = (seed: number, label: string) => {
    const trace = randomRollupTrace(organizationId, seed);
    for (const record of trace.records) Object.assign(record, { sessionId: `${label}-session`, userId: `${label}-user` });
    return trace;
  };

  it("random traces stored in random orders and batches get the same roll-ups, and each call is priced once", async () => {
    for (let seed = 1; seed <= 25; seed++) {
      const trace = traceFor(seed * 104_729, `${kind}-random-${seed}`);
      for (const batch of shuffledBatches(trace.records, seed)) await writes.saveLoggedRequests(batch);
      await expectMarked(trace);
    }
  });

  it("the sessions and users lists sum each call's cost once", async () => {
    const trace = traceFor(424_242, `${kind}-lists`);
    expect(trace.rollupIds.size).toBeGreaterThan(0);
    for (const batch of shuffledBatches(trace.records, 3)) await writes.saveLoggedRequests(batch);
    const [session] = await sessions.listSessions({ organizationId, search: `${kind}-lists-session`, limit: 10 });
    expect(session!.costUsd).toBeCloseTo(trace.totalCostUsd, 9);
    const [user] = await endUsers.listEndUsers({ organizationId, search: `${kind}-lists-user`, limit: 10 });
    expect(user!.costUsd).toBeCloseTo(trace.totalCostUsd, 9);
  });

  it("a batch stored again (the spool replayed after a crash) changes nothing", async () => {
    const trace = traceFor(777, `${kind}-replay`);
    await writes.saveLoggedRequests(trace.records);
    await writes.saveLoggedRequests(trace.records);
    await expectMarked(trace);
  });

  it("two writers storing parts of one trace at once end with the same roll-ups", async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const trace = traceFor(seed * 7_919, `${kind}-race-${seed}`);
      const batches = shuffledBatches(trace.records, seed + 100);
      const writer = async (parity: number) => {
        for (let i = parity; i < batches.length; i += 2) await writes.saveLoggedRequests(batches[i]!);
      };
      await Promise.all([writer(0), writer(1)]);
      await expectMarked(trace);
    }
  });

  it("a proxied call logged under an OTLP span through a Helicone path makes the span a roll-up", async () => {
    const traceId = `${kind}-mixed`;
    const span = syntheticRequest(organizationId, { source: "otel", traceId, nodeId: traceId, promptTokens: 240, totalTokens: 280, costUsd: 0.0002 });
    const call = syntheticRequest(organizationId, { source: "proxy", traceId, nodeId: `${traceId}:plan:call`, parentNodeId: `${traceId}:plan` });
    await writes.saveLoggedRequests([span]);
    await writes.saveLoggedRequests([call]);
    const rows = await traceRows.findTraceRows(organizationId, traceId);
    expect(rows.find((row) => row.id === span.id)).toMatchObject({ usageRollup: true, costUsd: 0, promptTokens: 240 });
    expect(rows.find((row) => row.id === call.id)).toMatchObject({ usageRollup: false, costUsd: call.costUsd });
  });

  it("traces without OTLP spans are left as they are", async () => {
    const traceId = `${kind}-proxied-only`;
    const records: LoggedRequest[] = [
      syntheticRequest(organizationId, { source: "proxy", traceId, nodeId: traceId }),
      syntheticRequest(organizationId, { source: "custom", traceId, nodeId: `${traceId}:a`, parentNodeId: traceId }),
    ];
    await writes.saveLoggedRequests(records);
    const rows = await traceRows.findTraceRows(organizationId, traceId);
    expect(rows.map((row) => [row.usageRollup, row.costUsd])).toEqual(records.map((r) => [false, r.costUsd]));
  });
}

describe("usage roll-ups in storage [sqlite]", () => usageRollupSuite("sqlite", () => createSqliteTestDatabase()));
describePostgres("usage roll-ups in storage [postgres]", () => usageRollupSuite("postgres", () => createPostgresTestDatabase()));
