import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { isRefusedData } from "../../../lib/storage/storage-errors";
import { syntheticRequest } from "../../bench/synthetic-requests";
import { createPostgresTestDatabase, createSqliteTestDatabase, describePostgres, type TestDatabase } from "../../helpers/test-databases";
import { reloadConfig } from "../../../lib/shared/config";

// The log writer drops a record only when the database refused its data; an outage must never
// look like that, or logs would be thrown away while the database is merely busy.
function refusedDataSuite(create: () => Promise<TestDatabase>, kind: "sqlite" | "postgres") {
  let database: TestDatabase;
  let storage: typeof import("../../../lib/storage/requests");
  let writes: typeof import("../../../lib/storage/request-rows");
  let organizationId: string;

  beforeAll(async () => {
    database = await create();
    process.env.DATABASE_URL = database.url;
    reloadConfig();
    storage = await import("../../../lib/storage/requests");
    writes = await import("../../../lib/storage/request-rows");
    organizationId = (await (await import("../../../lib/auth/first-start")).ensureFirstStart({})).organizationId;
  });
  afterAll(async () => {
    await (await import("../../../lib/storage/db")).closeDb();
    delete process.env.DATABASE_URL;
    reloadConfig();
    await database.cleanup();
  });

  it("a record of an organization that does not exist is refused data, not an outage", async () => {
    const error = await writes.saveLoggedRequests([syntheticRequest("no-such-organization")]).then(() => null, (e: unknown) => e);
    expect(error).not.toBeNull();
    expect(isRefusedData(error)).toBe(true);
  });

  it("saving a record whose id is already stored changes nothing: a replayed spool batch is harmless", async () => {
    const record = syntheticRequest(organizationId);
    await writes.saveLoggedRequests([record]);
    await writes.saveLoggedRequests([{ ...record, model: "replayed-model" }]);
    const stored = await storage.listRequests({ organizationId, traceId: record.traceId ?? undefined, limit: 10 });
    expect(stored.filter((row) => row.id === record.id).map((row) => row.model)).toEqual([record.model]);
  });

  if (kind === "sqlite") {
    it("a database locked by another writer is an outage, not refused data", async () => {
      const locker = new Database(database.url.slice("file:".length));
      locker.exec("BEGIN EXCLUSIVE");
      try {
        const error = await writes.saveLoggedRequests([syntheticRequest(organizationId)]).then(() => null, (e: unknown) => e);
        expect(error).not.toBeNull();
        expect(isRefusedData(error)).toBe(false);
      } finally {
        locker.exec("ROLLBACK");
        locker.close();
      }
    });
  }
}

describe("refused data vs outage [sqlite]", () => refusedDataSuite(() => createSqliteTestDatabase(), "sqlite"));
describePostgres("refused data vs outage [postgres]", () => refusedDataSuite(() => createPostgresTestDatabase(), "postgres"));
