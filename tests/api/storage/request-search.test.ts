import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticRequest } from "../../bench/synthetic-requests";
import { createPostgresTestDatabase, createSqliteTestDatabase, describePostgres, type TestDatabase } from "../../helpers/test-databases";
import { reloadConfig } from "../../../lib/shared/config";

// `search` finds literal text in a request's bodies: LIKE's wildcards in it (%, _) match only
// themselves, on both databases, with the other filters and the cursor applied as usual.
function searchSuite(create: () => Promise<TestDatabase>) {
  let database: TestDatabase;
  let storage: typeof import("../../../lib/storage/requests");
  let organizationId: string;
  const ids: Record<string, string> = {};
  const base = Date.UTC(2026, 5, 1);

  beforeAll(async () => {
    database = await create();
    process.env.DATABASE_URL = database.url;
    reloadConfig();
    storage = await import("../../../lib/storage/requests");
    const writes = await import("../../../lib/storage/request-rows");
    organizationId = (await (await import("../../../lib/auth/first-start")).ensureFirstStart({})).organizationId;
    const bodies: Record<string, [string, string]> = {
      percent: ['{"q":"a 50% discount"}', "{}"],
      fifty: ['{"q":"a 50 percent discount"}', "{}"],
      underscore: ["{}", '{"max_tokens":10}'],
      letter: ["{}", '{"maxXtokens":10}'],
    };
    const records = Object.entries(bodies).map(([name, [requestBody, responseBody]], i) => {
      const record = syntheticRequest(organizationId, { startTime: new Date(base + i * 1000), requestBody, responseBody, model: i < 2 ? "gpt-4o" : "gpt-4o-mini" });
      ids[name] = record.id;
      return record;
    });
    await writes.saveLoggedRequests(records);
  });
  afterAll(async () => {
    await (await import("../../../lib/storage/db")).closeDb();
    delete process.env.DATABASE_URL;
    reloadConfig();
    await database.cleanup();
  });

  const search = async (text: string, extra: Partial<Parameters<typeof storage.listRequests>[0]> = {}) =>
    (await storage.listRequests({ organizationId, search: text, limit: 10, ...extra })).map((row) => row.id);

  it("finds the text itself, wildcards included, in either body, newest first", async () => {
    expect(await search("50%")).toEqual([ids.percent]);
    expect(await search("max_tokens")).toEqual([ids.underscore]);
    expect(await search("discount")).toEqual([ids.fifty, ids.percent]);
    expect(await search("discount", { model: "gpt-4o-mini" })).toEqual([]);
    expect(await search("discount", { limit: 1, after: { startTime: new Date(base + 1000), id: ids.fifty! } })).toEqual([ids.percent]);
  });
}

describe("request search [sqlite]", () => searchSuite(() => createSqliteTestDatabase()));
describePostgres("request search [postgres]", () => searchSuite(() => createPostgresTestDatabase()));
