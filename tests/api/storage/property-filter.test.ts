import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoggedRequest } from "../../../lib/domain/logged-request";
import { syntheticRequest } from "../../bench/synthetic-requests";
import { createPostgresTestDatabase, createSqliteTestDatabase, describePostgres, type TestDatabase } from "../../helpers/test-databases";
import { reloadConfig } from "../../../lib/shared/config";

// Property filters are answered two ways (on PostgreSQL by walking the property index, see
// listByPropertyIndex); whichever way, every page must be exactly the matching requests, newest
// first, each once, whatever the limit, the time range and the other properties asked for.
function propertyFilterSuite(create: () => Promise<TestDatabase>) {
  let database: TestDatabase;
  let storage: typeof import("../../../lib/storage/requests");
  let writes: typeof import("../../../lib/storage/request-rows");
  let organizationId: string;
  const stored: LoggedRequest[] = [];
  const base = Date.UTC(2026, 5, 1);

  beforeAll(async () => {
    database = await create();
    process.env.DATABASE_URL = database.url;
    reloadConfig();
    storage = await import("../../../lib/storage/requests");
    writes = await import("../../../lib/storage/request-rows");
    organizationId = (await (await import("../../../lib/auth/first-start")).ensureFirstStart({})).organizationId;
    // 400 requests over 400 s, some starting at the same millisecond; step a/b/c, env x/y.
    for (let i = 0; i < 400; i++) {
      const properties: Record<string, string> = { step: "abc"[i % 3]!, ...(i % 5 < 2 ? { env: "xy"[i % 2]! } : {}) };
      stored.push(syntheticRequest(organizationId, { startTime: new Date(base + Math.floor(i / 2) * 2000), properties }));
    }
    // Another organization holds the same properties: never returned.
    const other = await (await import("../../../lib/storage/organizations")).findOrCreateOrganization("Other");
    await writes.saveLoggedRequests(stored.slice(0, 50).map((r) => syntheticRequest(other, { startTime: r.startTime, properties: r.properties })));
    await writes.saveLoggedRequests(stored);
  });
  afterAll(async () => {
    await (await import("../../../lib/storage/db")).closeDb();
    delete process.env.DATABASE_URL;
    reloadConfig();
    await database.cleanup();
  });

  it("pages walked with the cursor are exactly the matching requests, newest first, each once", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          step: fc.constantFrom("a", "b", "c"),
          env: fc.option(fc.constantFrom("x", "y"), { nil: undefined }),
          limit: fc.integer({ min: 1, max: 60 }),
          fromS: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
          spanS: fc.integer({ min: 0, max: 400 }),
        }),
        async ({ step, env, limit, fromS, spanS }) => {
          const properties = { step, ...(env ? { env } : {}) };
          const from = fromS === undefined ? undefined : new Date(base + fromS * 1000);
          const to = from === undefined ? undefined : new Date(from.getTime() + spanS * 1000);
          const expected = stored
            .filter((r) => r.properties.step === step && (!env || r.properties.env === env))
            .filter((r) => (!from || r.startTime >= from) && (!to || r.startTime <= to))
            .sort((a, b) => b.startTime.getTime() - a.startTime.getTime() || (a.id < b.id ? 1 : -1))
            .map((r) => r.id);
          const seen: string[] = [];
          let after: { startTime: Date; id: string } | undefined;
          for (let pages = 0; pages < 500; pages++) {
            const page = await storage.listRequests({ organizationId, properties, from, to, limit, after });
            seen.push(...page.map((r) => r.id));
            if (page.length < limit) break;
            after = { startTime: page.at(-1)!.startTime, id: page.at(-1)!.id };
          }
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: 25 },
    );
  });
}

describe("property filter pages [sqlite]", () => propertyFilterSuite(() => createSqliteTestDatabase()));
describePostgres("property filter pages [postgres]", () => propertyFilterSuite(() => createPostgresTestDatabase()));
