import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reloadConfig } from "../../lib/shared/config";
import { syntheticRequest } from "../bench/synthetic-requests";
import { startApp, type RunningApp } from "../helpers/app-server";
import { signIn } from "../helpers/dashboard-login";
import { queryDatabase } from "../helpers/database-contents";
import { createPostgresTestDatabase, createSqliteTestDatabase, describePostgres, type TestDatabase } from "../helpers/test-databases";

// Retention as an operator runs it: the real server started with RETENTION_DAYS on a database
// that already holds old and new requests of three organizations (one following the server, one
// keeping longer, one shorter). Within a minute of start the read API no longer finds what is
// older than each organization's window (nor does the database hold its body or properties); what
// is newer is there with its body and properties; the Dashboard's figures count only what is left;
// the settings API tells each organization its window and refuses a window that is not a whole
// number of days. A record older than the window that arrives later is still accepted (the next
// run takes it).
const DAY = 86_400_000;
const AGES = [0.5, 3, 12, 45] as const;
type Age = (typeof AGES)[number];
const RUN_WAIT_MS = 60_000;
const ADMIN = { email: "admin@retention.test", password: "retention-admin-password-1" };

function retentionServerSuite(create: () => Promise<TestDatabase>) {
  let database: TestDatabase;
  let app: RunningApp;
  let startedAt: number;
  /** each organization's API key, its window, and its requests' ids by age in days */
  const organizations: Record<"follows" | "longer" | "shorter", { key: string; keepsDays: number; ids: Map<Age, string> }> = {
    follows: { key: "", keepsDays: 7, ids: new Map() },
    longer: { key: "", keepsDays: 30, ids: new Map() },
    shorter: { key: "", keepsDays: 1, ids: new Map() },
  };

  beforeAll(async () => {
    database = await create();
    process.env.DATABASE_URL = database.url;
    reloadConfig();
    const { ensureFirstStart } = await import("../../lib/auth/first-start");
    const { createApiKey } = await import("../../lib/auth/api-keys");
    const { getDb, closeDb } = await import("../../lib/storage/db");
    const { saveLoggedRequests } = await import("../../lib/storage/request-rows");
    const { setOrganizationRetentionDays } = await import("../../lib/storage/organizations");
    const follows = (await ensureFirstStart({ adminEmail: ADMIN.email, adminPassword: ADMIN.password })).organizationId;
    const ids: Record<keyof typeof organizations, string> = { follows, longer: "", shorter: "" };
    for (const name of ["longer", "shorter"] as const) {
      ids[name] = (await getDb().organization.create({ data: { name } })).id;
      await setOrganizationRetentionDays(ids[name], organizations[name].keepsDays);
      organizations[name].key = (await createApiKey(ids[name], "retention test")).key;
    }
    const now = Date.now();
    const records = [];
    for (const [name, organization] of Object.entries(organizations)) {
      for (const age of AGES) {
        const record = syntheticRequest(ids[name as keyof typeof organizations], {
          startTime: new Date(now - age * DAY),
          properties: { age: `${age}d` },
          requestBody: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: `asked ${age} days ago` }] }),
        });
        organization.ids.set(age, record.id);
        records.push(record);
      }
    }
    await saveLoggedRequests(records);
    await closeDb();
    startedAt = Date.now();
    app = await startApp({ databaseUrl: database.url, env: { RETENTION_DAYS: "7", ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } });
    organizations.follows.key = app.apiKey;
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    delete process.env.DATABASE_URL;
    reloadConfig();
    await database?.cleanup();
  });

  const get = (path: string, key: string) => fetch(app.url + path, { headers: { authorization: `Bearer ${key}` } });

  it("deletes each organization's requests older than its window within a minute of start, with their bodies and properties, and keeps the rest", async () => {
    for (const [name, { key, keepsDays, ids }] of Object.entries(organizations)) {
      for (const age of AGES.filter((a) => a > keepsDays)) {
        const id = ids.get(age)!;
        // Polled until gone, for at most a minute from the server's start.
        for (;;) {
          const status = (await get(`/api/v1/requests/${id}`, key)).status;
          if (status === 404) break;
          expect(status, `${name}'s ${age}-day-old request`).toBe(200);
          expect(Date.now() - startedAt, `${name}'s ${age}-day-old request still there after a minute:\n${app.output()}`).toBeLessThan(RUN_WAIT_MS);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        expect(await queryDatabase(database.url, `SELECT "requestId" FROM "RequestBody" WHERE "requestId" = $1`, [id])).toEqual([]);
        expect(await queryDatabase(database.url, `SELECT "requestId" FROM "RequestProperty" WHERE "requestId" = $1`, [id])).toEqual([]);
      }
      for (const age of AGES.filter((a) => a <= keepsDays)) {
        const response = await get(`/api/v1/requests/${ids.get(age)}`, key);
        expect(response.status, `${name}'s ${age}-day-old request`).toBe(200);
        const request = await response.json();
        expect(request.properties).toEqual({ age: `${age}d` });
        expect(JSON.stringify(request.requestBody)).toContain(`asked ${age} days ago`);
      }
      // The Dashboard's figures over the last 60 days count what is left, nothing more.
      const to = new Date(Date.now() + 60_000).toISOString();
      const from = new Date(Date.now() - 60 * DAY).toISOString();
      const summary = await (await get(`/api/v1/metrics/summary?from=${from}&to=${to}`, key)).json();
      expect(summary.requests, name).toBe(AGES.filter((a) => a <= keepsDays).length);
    }
    expect(app.output()).toMatch(/Retention: deleted 6 requests older than their window/);
  }, RUN_WAIT_MS + 30_000);

  it("tells each organization its window, and refuses one that is not a whole number of days", async () => {
    expect(await (await get("/api/v1/retention", organizations.follows.key)).json()).toEqual({ days: null, defaultDays: 7, effectiveDays: 7 });
    expect(await (await get("/api/v1/retention", organizations.longer.key)).json()).toEqual({ days: 30, defaultDays: 7, effectiveDays: 30 });
    expect(await (await get("/api/v1/retention", organizations.shorter.key)).json()).toEqual({ days: 1, defaultDays: 7, effectiveDays: 1 });
    // Changing it takes a signed-in admin: an API key is refused, whatever the body.
    const withKey = await fetch(`${app.url}/api/v1/retention`, {
      method: "PUT",
      headers: { authorization: `Bearer ${organizations.follows.key}`, "content-type": "application/json" },
      body: JSON.stringify({ days: 3 }),
    });
    expect(withKey.status).toBe(401);

    const cookie = (await signIn(app.url, ADMIN.email, ADMIN.password))!;
    expect(cookie).toBeTruthy();
    const put = async (body: unknown) => {
      const response = await fetch(`${app.url}/api/v1/retention`, {
        method: "PUT",
        headers: { cookie, origin: app.url, "content-type": "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    for (const bad of [{ days: 0 }, { days: -3 }, { days: 1.5 }, { days: "30" }, { days: 36_501 }, {}, { days: 30, hours: 2 }]) {
      const answer = await put(bad);
      expect(answer.status, JSON.stringify(bad)).toBe(400);
      expect(answer.body.error.code).toBe("invalid_request");
    }
    expect((await put({ days: 0 })).body.error.message).toBe("days: days must be a whole number of days from 1 to 36,500, or null to follow the server's RETENTION_DAYS");
    expect((await put("{not json")).status).toBe(400);
    expect(await (await get("/api/v1/retention", organizations.follows.key)).json()).toEqual({ days: null, defaultDays: 7, effectiveDays: 7 });
    expect(await put({ days: 10 })).toEqual({ status: 200, body: { days: 10, defaultDays: 7, effectiveDays: 10 } });
    expect(await (await get("/api/v1/retention", organizations.follows.key)).json()).toEqual({ days: 10, defaultDays: 7, effectiveDays: 10 });
    expect(await put({ days: null })).toEqual({ status: 200, body: { days: null, defaultDays: 7, effectiveDays: 7 } });
  });

  it("accepts a record older than the window that arrives after a run (the next run takes it)", async () => {
    const started = Date.now() - 20 * DAY;
    const response = await fetch(`${app.url}/v1/trace/custom/log`, {
      method: "POST",
      headers: { authorization: `Bearer ${organizations.follows.key}`, "content-type": "application/json" },
      body: JSON.stringify({
        providerRequest: { url: "https://api.openai.com/v1/chat/completions", json: { model: "gpt-4o-mini", messages: [] }, meta: {} },
        providerResponse: { json: { id: randomUUID() }, status: 200, headers: {} },
        timing: { startTime: started, endTime: started + 1_000 },
      }),
    });
    expect(response.status).toBe(200);
    const { id } = await response.json();
    expect((await get(`/api/v1/requests/${id}`, organizations.follows.key)).status).toBe(200);
  });
}

describe("retention on the running server [sqlite]", () => retentionServerSuite(() => createSqliteTestDatabase()));
describePostgres("retention on the running server [postgres]", () => retentionServerSuite(() => createPostgresTestDatabase()));
