import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoggedRequest } from "../../../lib/domain/logged-request";
import { syntheticRequest } from "../../bench/synthetic-requests";
import { createPostgresTestDatabase, createSqliteTestDatabase, describePostgres, type TestDatabase } from "../../helpers/test-databases";
import { reloadConfig } from "../../../lib/shared/config";

// The trace API reads its rows beside Prisma (lib/storage/trace-rows.ts). Written through the
// real write path, every request comes back as it was logged, field for field, on both
// databases; and never another organization's, even under the same trace id.
function traceRowsSuite(create: () => Promise<TestDatabase>) {
  let database: TestDatabase;
  let storage: typeof import("../../../lib/storage/requests");
  let writes: typeof import("../../../lib/storage/request-rows");
  let traceRows: typeof import("../../../lib/storage/trace-rows");
  let own: string;
  let other: string;

  beforeAll(async () => {
    database = await create();
    process.env.DATABASE_URL = database.url;
    reloadConfig();
    storage = await import("../../../lib/storage/requests");
    writes = await import("../../../lib/storage/request-rows");
    traceRows = await import("../../../lib/storage/trace-rows");
    own = (await (await import("../../../lib/auth/first-start")).ensureFirstStart({})).organizationId;
    other = await (await import("../../../lib/storage/organizations")).findOrCreateOrganization("Other organization");
  });
  afterAll(async () => {
    await traceRows.closeTraceReaders();
    await (await import("../../../lib/storage/db")).closeDb();
    delete process.env.DATABASE_URL;
    reloadConfig();
    await database.cleanup();
  });

  /** Requests of one trace with every kind of value a row can hold. */
  function traceRequests(organizationId: string, traceId: string): LoggedRequest[] {
    const start = Date.UTC(2026, 2, 4, 5, 6, 7, 891);
    return [
      syntheticRequest(organizationId, { traceId, nodeId: traceId, startTime: new Date(start), latencyMs: 1234.5 }),
      syntheticRequest(organizationId, {
        traceId,
        nodeId: `${traceId}:retry`,
        parentNodeId: traceId,
        startTime: new Date(start + 1),
        status: 0,
        errorReason: "upstream answered 503 — «retry» \u{1F600}",
        cancelled: true,
        stream: true,
        timeToFirstTokenMs: 12.25,
        costUsd: null,
        costUnknown: true,
        promptTokens: null,
        completionTokens: null,
        cachedTokens: 7,
        tokensEstimated: true,
        model: null,
        sessionId: "session \"quoted\"",
        sessionName: "a session",
        userId: "user-1",
        properties: { step: "plan", "unicode ключ": "значение" },
      }),
      syntheticRequest(organizationId, { traceId, nodeId: `${traceId}:a:b`, parentNodeId: `${traceId}:a`, costUsd: 0.1 + 0.2, startTime: new Date(start - 60_000) }),
      // carries the trace id but no usable node id: read, then left out of the tree by the API
      syntheticRequest(organizationId, { traceId, nodeId: null, traceError: "node id is empty" }),
    ];
  }

  const byId = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));

  /** What the trace API should read for a logged request: times as epoch ms, properties parsed here. */
  function expectedRow(request: LoggedRequest) {
    return {
      id: request.id,
      nodeId: request.nodeId,
      parentNodeId: request.parentNodeId,
      source: request.source,
      status: request.status,
      errorReason: request.errorReason,
      cancelled: request.cancelled,
      provider: request.provider,
      model: request.model,
      path: request.path,
      startMs: request.startTime.getTime(),
      endMs: request.endTime.getTime(),
      latencyMs: request.latencyMs,
      timeToFirstTokenMs: request.timeToFirstTokenMs,
      stream: request.stream,
      costUsd: request.costUsd,
      costUnknown: request.costUnknown,
      usageRollup: false,
      promptTokens: request.promptTokens,
      completionTokens: request.completionTokens,
      cachedTokens: request.cachedTokens,
      tokensEstimated: request.tokensEstimated,
      sessionId: request.sessionId,
      userId: request.userId,
      properties: request.properties,
    };
  }

  it("reads back every request as it was logged, field for field (times as epoch ms)", async () => {
    const requests = traceRequests(own, "same-rows");
    await writes.saveLoggedRequests(requests);
    const raw = await traceRows.findTraceRows(own, "same-rows");
    expect(raw).toHaveLength(requests.length);
    expect(byId(raw.map((row) => ({ ...row, properties: JSON.parse(row.properties) })))).toStrictEqual(byId(requests.map(expectedRow)));
    const retry = raw.find((row) => row.nodeId === "same-rows:retry")!;
    expect(retry).toMatchObject({ cancelled: true, stream: true, costUsd: null, costUnknown: true, model: null, timeToFirstTokenMs: 12.25 });
    expect(retry.startMs).toBe(Date.UTC(2026, 2, 4, 5, 6, 7, 892));
    expect(JSON.parse(retry.properties)).toEqual({ step: "plan", "unicode ключ": "значение" });
  });

  it("never returns another organization's rows, even under the same trace id", async () => {
    const mine = traceRequests(own, "shared-trace-id");
    const theirs = traceRequests(other, "shared-trace-id");
    await writes.saveLoggedRequests([...mine, ...theirs]);
    const ownRows = await traceRows.findTraceRows(own, "shared-trace-id");
    const otherRows = await traceRows.findTraceRows(other, "shared-trace-id");
    expect(ownRows.map((row) => row.id).sort()).toEqual(mine.map((r) => r.id).sort());
    expect(otherRows.map((row) => row.id).sort()).toEqual(theirs.map((r) => r.id).sort());
    expect(await traceRows.findTraceRows("no-such-organization", "shared-trace-id")).toEqual([]);
  });

  it("takes ids as parameters, never as SQL", async () => {
    await writes.saveLoggedRequests(traceRequests(own, "plain-trace"));
    expect(await traceRows.findTraceRows(own, "x' OR '1'='1")).toEqual([]);
    expect(await traceRows.findTraceRows(`${own}' OR '1'='1`, "plain-trace")).toEqual([]);
  });

  it("sees rows written after its connection opened", async () => {
    await writes.saveLoggedRequests(traceRequests(own, "growing"));
    expect(await traceRows.findTraceRows(own, "growing")).toHaveLength(4);
    await writes.saveLoggedRequests([syntheticRequest(own, { traceId: "growing", nodeId: "growing:late", parentNodeId: "growing" })]);
    expect(await traceRows.findTraceRows(own, "growing")).toHaveLength(5);
  });
}

describe("trace rows read beside Prisma [sqlite]", () => traceRowsSuite(() => createSqliteTestDatabase()));
describePostgres("trace rows read beside Prisma [postgres]", () => traceRowsSuite(() => createPostgresTestDatabase()));

describe("SQLite times", () => {
  it("reads ISO text with or without a zone (UTC then) and epoch milliseconds", async () => {
    const { sqliteTimeMs } = await import("../../../lib/storage/trace-rows");
    const ms = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    expect(sqliteTimeMs("2026-01-02T03:04:05.678+00:00")).toBe(ms);
    expect(sqliteTimeMs("2026-01-02T03:04:05.678Z")).toBe(ms);
    expect(sqliteTimeMs("2026-01-02T05:04:05.678+02:00")).toBe(ms);
    expect(sqliteTimeMs("2026-01-02 03:04:05.678")).toBe(ms);
    expect(sqliteTimeMs(ms)).toBe(ms);
    expect(sqliteTimeMs(BigInt(ms))).toBe(ms);
  });
});
