// The request tables partitioned by time on PostgreSQL (lib/storage/partitions.ts): an existing
// unpartitioned database taken over by a server start without losing a row and read as before,
// concurrent starts, late and future records, partitions ahead, pruning, retention's drops.
import { spawn } from "node:child_process";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, expect, it } from "vitest";
import type { LoggedRequest } from "../../../lib/domain/logged-request";
import { partitionName, rangeHolding } from "../../../lib/domain/partition-ranges";
import { reloadConfig } from "../../../lib/shared/config";
import { syntheticRequest } from "../../bench/synthetic-requests";
import { startApp } from "../../helpers/app-server";
import { createPostgresTestDatabase, describePostgres, type TestDatabase } from "../../helpers/test-databases";

const root = process.cwd();
const DAY = 86_400_000;
const TABLES = ["Request", "RequestBody", "RequestProperty"];
const PRIMARY_KEYS: Record<string, string> = { Request: `"id"`, RequestBody: `"requestId"`, RequestProperty: `"requestId", "key"` };

/** Requests of every shape the app stores over ten days of March 2026, plus one from 2019 and one from 2031. */
function realisticRequests(organizationId: string, count: number): LoggedRequest[] {
  const base = Date.UTC(2026, 2, 1, 7, 30);
  const requests = Array.from({ length: count }, (_, i) => {
    const trace = `trace-${i % 25}`;
    const depth = (i % 3) + 1;
    const nodeId = [trace, ...Array.from({ length: depth - 1 }, (__, d) => `step${d}`)].join(":");
    return syntheticRequest(organizationId, {
      source: i % 4 === 0 ? "proxy" : "custom",
      model: ["gpt-4o-mini", "gpt-4o", "claude-sonnet-4-5"][i % 3]!,
      status: i % 17 === 0 ? 500 : 200,
      errorReason: i % 17 === 0 ? "upstream failed — 500" : null,
      startTime: new Date(base + Math.floor((i * 10 * DAY) / count)),
      latencyMs: 100 + (i % 900),
      timeToFirstTokenMs: i % 2 ? 40.5 : null,
      stream: i % 2 === 1,
      traceId: trace,
      nodeId,
      parentNodeId: depth > 1 ? nodeId.split(":").slice(0, -1).join(":") : null,
      sessionId: `session-${i % 7}`,
      userId: `user-${i % 11}`,
      properties: { env: i % 3 ? "prod" : "dev", step: `step-${i % 5}` },
      requestBody: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: `question ${i} — ünïcode ✓` }] }),
      responseBody: i % 13 === 0 ? null : JSON.stringify({ choices: [{ message: { role: "assistant", content: `answer ${i}` } }] }),
      requestHeaders: { "content-type": "application/json", authorization: "[redacted]" },
      responseHeaders: { "x-request-id": `req-${i}` },
    });
  });
  requests.push(syntheticRequest(organizationId, { startTime: new Date(Date.UTC(2019, 4, 1, 12)), properties: { env: "late", step: "step-0" } }));
  requests.push(syntheticRequest(organizationId, { startTime: new Date(Date.UTC(2031, 0, 1, 12)), properties: { env: "future", step: "step-0" } }));
  return requests;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Every row of the three tables, in key order. */
function tableContents(url: string): Promise<Record<string, unknown[]>> {
  return withClient(url, async (client) => {
    const contents: Record<string, unknown[]> = {};
    for (const table of TABLES) contents[table] = (await client.query(`SELECT * FROM "${table}" ORDER BY ${PRIMARY_KEYS[table]}`)).rows;
    return contents;
  });
}

/** Each partition of `table` with the number of rows it holds, by name. */
function partitionRows(url: string, table: string): Promise<Record<string, number>> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ name: string; rows: number }>(
      `SELECT tableoid::regclass::text AS name, count(*)::int AS rows FROM "${table}" GROUP BY 1`,
    );
    const { rows: all } = await client.query<{ name: string }>(`SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = $1::regclass`, [`"${table}"`]);
    return Object.fromEntries(all.map(({ name }) => [name.replaceAll('"', ""), rows.find((row) => row.name === name)?.rows ?? 0]));
  });
}

function indexNames(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ name: string }>(`SELECT indexname AS name FROM pg_indexes WHERE tablename = ANY($1) ORDER BY 1`, [TABLES]);
    return rows.map((row) => row.name);
  });
}

function runScript(script: string): Promise<{ code: number | null; stdout: string; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["node_modules/tsx/dist/cli.mjs", "--eval", script], { cwd: root, env: process.env });
    let stdout = "";
    let output = "";
    child.stdout.on("data", (chunk) => ((stdout += chunk), (output += chunk)));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, output }));
  });
}

describePostgres("time-partitioned request tables", () => {
  const cleanups: (() => Promise<unknown>)[] = [];

  /** A database of its own, the app's storage pointed at it in this process, with `requests` stored through the log writer's insert. */
  async function databaseWith(options: { partitioned: boolean; requests?: number }) {
    const database: TestDatabase = await createPostgresTestDatabase({ partitioned: options.partitioned });
    cleanups.push(database.cleanup);
    process.env.DATABASE_URL = database.url;
    reloadConfig();
    const { ensureFirstStart } = await import("../../../lib/auth/first-start");
    const { saveLoggedRequests } = await import("../../../lib/storage/request-rows");
    const { organizationId } = await ensureFirstStart({});
    const requests = options.requests ? realisticRequests(organizationId, options.requests) : [];
    for (let i = 0; i < requests.length; i += 500) await saveLoggedRequests(requests.slice(i, i + 500));
    return { url: database.url, organizationId, requests, saveLoggedRequests };
  }

  async function closeStorage(): Promise<void> {
    await (await import("../../../lib/storage/db")).closeDb();
    await (await import("../../../lib/storage/trace-rows")).closeTraceReaders();
    await (await import("../../../lib/storage/metrics")).closeMetricsReaders();
  }

  afterEach(async () => {
    await closeStorage();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => {
    delete process.env.DATABASE_URL;
    reloadConfig();
  });

  it("a server start takes over an unpartitioned database: every row kept as it was, the read API answers as before", async () => {
    const { url, organizationId, requests } = await databaseWith({ partitioned: false, requests: 1_500 });
    const before = await tableContents(url);
    expect(before.Request).toHaveLength(1_502);
    expect(before.RequestBody).toHaveLength(1_502);
    expect(before.RequestProperty).toHaveLength(3_004);
    const indexesBefore = await indexNames(url);

    // What the read API answers on the unpartitioned tables, asked in this process.
    const readApi = {
      list: await import("../../../lib/read-api/list-requests"),
      request: await import("../../../lib/read-api/get-request"),
      trace: await import("../../../lib/read-api/get-trace"),
      session: await import("../../../lib/read-api/get-session"),
      metrics: await import("../../../lib/read-api/metrics"),
    };
    const queries = ["limit=1000", "limit=40&property.env=dev", "limit=1000&model=gpt-4o&from=2026-03-03T00:00:00Z&to=2026-03-05T12:00:00Z", "status=error&limit=1000", "limit=1000&search=question%2017"];
    const detailIds = [requests[0]!.id, requests[13]!.id, requests.at(-1)!.id, requests.at(-2)!.id];
    const metricsQuery = "from=2026-03-01T00:00:00Z&to=2026-03-12T00:00:00Z";
    const answersBefore = {
      lists: await Promise.all(queries.map((query) => readApi.list.listRequestsForApi(organizationId, new URLSearchParams(query)))),
      details: await Promise.all(detailIds.map((id) => readApi.request.getRequestForApi(organizationId, id))),
      trace: JSON.parse(Buffer.concat([...(await readApi.trace.getTraceJsonForApi(organizationId, "trace-3"))]).toString("utf8")),
      session: await readApi.session.getSessionForApi(organizationId, "session-2"),
      metrics: await readApi.metrics.getMetricsSummary(organizationId, new URLSearchParams(metricsQuery)),
    };
    await closeStorage();

    const app = await startApp({ databaseUrl: url });
    try {
      expect(app.output()).toContain("Partitioned the request tables by time: 1,502 requests");
      expect(await tableContents(url)).toEqual(before);
      const api = async (path: string) => {
        const response = await fetch(app.url + path, { headers: { authorization: `Bearer ${app.apiKey}` } });
        expect(response.status, path).toBe(200);
        return JSON.parse(JSON.stringify(await response.json()));
      };
      const asJson = (value: unknown) => JSON.parse(JSON.stringify(value));
      for (const [i, query] of queries.entries()) expect(await api(`/api/v1/requests?${query}`), query).toEqual(asJson(answersBefore.lists[i]));
      for (const [i, id] of detailIds.entries()) expect(await api(`/api/v1/requests/${id}`)).toEqual(asJson(answersBefore.details[i]));
      expect(await api("/api/v1/traces/trace-3")).toEqual(answersBefore.trace);
      expect(await api("/api/v1/sessions/session-2")).toEqual(asJson(answersBefore.session));
      expect(await api(`/api/v1/metrics/summary?${metricsQuery}`)).toEqual(asJson(answersBefore.metrics));
    } finally {
      await app.stop();
    }

    // Every index of the old tables is on the partitioned ones; a partition for every day that
    // holds requests (2019's and 2031's too), each child partition holding its requests' rows.
    expect(await indexNames(url)).toEqual(expect.arrayContaining(indexesBefore));
    const requestPartitions = await partitionRows(url, "Request");
    expect(requestPartitions.Request_p20190501).toBe(1);
    expect(requestPartitions.Request_p20310101).toBe(1);
    expect(requestPartitions.Request_default).toBe(0);
    for (let day = 1; day <= 10; day++) expect(requestPartitions[`Request_p202603${String(day).padStart(2, "0")}`]).toBeGreaterThan(100);
    for (const child of ["RequestBody", "RequestProperty"]) {
      const rows = await partitionRows(url, child);
      for (const [name, count] of Object.entries(requestPartitions)) {
        expect(rows[name.replace("Request", child)], name).toBe(child === "RequestBody" ? count : count * 2);
      }
    }
  });

  it("is idempotent, and instances starting together take the database over once", async () => {
    const { url } = await databaseWith({ partitioned: false, requests: 300 });
    const before = await tableContents(url);
    await closeStorage();
    const script = `import(${JSON.stringify(join(root, "lib/storage/partitions.ts"))}).then(async (m) => {
      const takeOver = await m.ensurePartitionedLayout(${JSON.stringify(url)});
      const created = await m.createPartitionsAhead(${JSON.stringify(url)}, new Date());
      console.log(JSON.stringify({ takeOver, created }));
    })`;
    // Hold the upkeep lock so that all three are surely waiting on it at once.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    await holder.query("SELECT pg_advisory_lock(72707370)");
    const starts = Promise.all([1, 2, 3].map(() => runScript(script)));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await holder.end();
    const results = (await starts).map((start) => {
      expect(start.code, start.output).toBe(0);
      return JSON.parse(start.stdout) as { takeOver: { requests: number } | null; created: string[] };
    });
    expect(results.filter((result) => result.takeOver !== null).map((result) => result.takeOver!.requests)).toEqual([302]);
    // today's partition and the next seven days', of each table, made once
    const created = results.flatMap((result) => result.created);
    const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10).replaceAll("-", "");
    expect(created).toHaveLength(8 * 3);
    for (const table of TABLES) expect(created).toEqual(expect.arrayContaining([`${table}_p${day(0)}`, `${table}_p${day(7)}`]));
    expect(await tableContents(url)).toEqual(before);

    const { ensurePartitionedLayout, createPartitionsAhead } = await import("../../../lib/storage/partitions");
    expect(await ensurePartitionedLayout(url)).toBeNull();
    expect(await createPartitionsAhead(url, new Date())).toEqual([]);
  });

  it("stores a record from years ago and one dated ahead; a partition made for the later moves it in, with its body and properties", async () => {
    const { url, organizationId, saveLoggedRequests } = await databaseWith({ partitioned: true });
    const now = Date.now();
    const late = syntheticRequest(organizationId, { startTime: new Date(Date.UTC(2019, 4, 1, 12)), properties: { env: "late" } });
    const ahead = syntheticRequest(organizationId, { startTime: new Date(now + 40 * DAY), properties: { env: "ahead" }, responseBody: '{"answer":"from the future"}' });
    const today = syntheticRequest(organizationId, { startTime: new Date(now), properties: { env: "today" } });
    await saveLoggedRequests([late, ahead, today]);

    const { getRequestForApi } = await import("../../../lib/read-api/get-request");
    for (const request of [late, ahead, today]) expect((await getRequestForApi(organizationId, request.id)).requestBody).toEqual(JSON.parse(request.requestBody!));
    expect((await partitionRows(url, "Request")).Request_default).toBe(2);

    const { createPartitionsAhead } = await import("../../../lib/storage/partitions");
    const created = await createPartitionsAhead(url, new Date(now + 35 * DAY));
    const aheadDay = new Date(now + 40 * DAY).toISOString().slice(0, 10).replaceAll("-", "");
    expect(created).toContain(`Request_p${aheadDay}`);
    for (const table of TABLES) {
      const rows = await partitionRows(url, table);
      expect(rows[`${table}_p${aheadDay}`], table).toBe(1);
      expect(rows[`${table}_default`], table).toBe(1); // the record of 2019
    }
    expect(await getRequestForApi(organizationId, ahead.id)).toMatchObject({ responseBody: { answer: "from the future" }, properties: { env: "ahead" } });
  });

  it("with PARTITION_INTERVAL=hour, hours are made where the days made before end, and hold their rows", async () => {
    const { url, organizationId, saveLoggedRequests } = await databaseWith({ partitioned: true });
    const { createPartitionsAhead } = await import("../../../lib/storage/partitions");
    const now = new Date(Date.now() + 20 * DAY);
    const created = await createPartitionsAhead(url, now, "hour");
    const hourOf = (ms: number) => rangeHolding(ms, "hour").fromMs;
    expect(created).toContain(partitionName("Request", hourOf(now.getTime())));
    expect(created.filter((name) => name.startsWith("Request_p"))).toHaveLength(25); // this hour and the next 24
    // a day already partitioned is left as it is
    expect(await createPartitionsAhead(url, new Date(), "hour")).toEqual([]);
    const inAnHour = syntheticRequest(organizationId, { startTime: new Date(now.getTime() + 3_600_000), properties: { env: "hourly" } });
    await saveLoggedRequests([inAnHour]);
    const rows = await partitionRows(url, "RequestProperty");
    expect(rows[partitionName("RequestProperty", hourOf(inAnHour.startTime.getTime()))]).toBe(1);
  });

  it("a replayed batch is stored once; deleting a request deletes its body and properties", async () => {
    const { url, organizationId, requests, saveLoggedRequests } = await databaseWith({ partitioned: true, requests: 200 });
    await saveLoggedRequests(requests.slice(0, 150));
    const counts = await tableContents(url);
    expect([counts.Request!.length, counts.RequestBody!.length, counts.RequestProperty!.length]).toEqual([202, 202, 404]);
    const { getMetricsSummary } = await import("../../../lib/read-api/metrics");
    const summary = await getMetricsSummary(organizationId, new URLSearchParams("from=2019-01-01T00:00:00Z&to=2032-01-01T00:00:00Z"));
    expect(summary).toMatchObject({ requests: 202 });

    await withClient(url, (client) => client.query(`DELETE FROM "Request" WHERE "id" = ANY($1)`, [requests.slice(0, 10).map((r) => r.id)]));
    const after = await tableContents(url);
    expect([after.Request!.length, after.RequestBody!.length, after.RequestProperty!.length]).toEqual([192, 192, 384]);
  });

  it("dropping the partitions before a cutoff drops a day in all three tables, and leaves the rest readable", async () => {
    const { url, organizationId, requests } = await databaseWith({ partitioned: false, requests: 400 });
    const { ensurePartitionedLayout, dropPartitionsBefore } = await import("../../../lib/storage/partitions");
    await ensurePartitionedLayout(url);
    const dropped = await dropPartitionsBefore(url, new Date(Date.UTC(2026, 2, 3)));
    expect(dropped.sort()).toEqual(
      TABLES.flatMap((table) => [`${table}_p20190501`, `${table}_p20260301`, `${table}_p20260302`]).sort(),
    );
    const kept = requests.filter((request) => request.startTime.getTime() >= Date.UTC(2026, 2, 3));
    const contents = await tableContents(url);
    expect(contents.Request!.map((row) => (row as { id: string }).id).sort()).toEqual(kept.map((request) => request.id).sort());
    expect(contents.RequestBody).toHaveLength(kept.length);
    expect(contents.RequestProperty).toHaveLength(kept.length * 2);
    const { listRequestsForApi } = await import("../../../lib/read-api/list-requests");
    expect((await listRequestsForApi(organizationId, new URLSearchParams("limit=1000"))).data).toHaveLength(kept.length);
    expect(await dropPartitionsBefore(url, new Date(Date.UTC(2026, 2, 3)))).toEqual([]);
  });

  it("a requests query with a time range reads only the partitions of that range", async () => {
    const { url, organizationId } = await databaseWith({ partitioned: false, requests: 600 });
    const { ensurePartitionedLayout } = await import("../../../lib/storage/partitions");
    await ensurePartitionedLayout(url);
    // The page query as the Requests page asks it (lib/storage/requests.ts), its WHERE built by
    // the one translation of the filters.
    const { requestSliceWhere, SqlParameters } = await import("../../../lib/storage/request-filter");
    const explain = async (filter: Parameters<typeof requestSliceWhere>[0]) => {
      const params = new SqlParameters("postgres");
      const where = requestSliceWhere(filter, params, "per-row");
      const sql = `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT r."id", r."startTime" FROM "Request" r WHERE ${where} ORDER BY r."startTime" DESC, r."id" DESC LIMIT 51`;
      const { rows } = await withClient(url, (client) => client.query(sql, params.values));
      // Partitions pruned while planning are not in the plan; those pruned while running (a
      // property probe per request) are there but never executed.
      const read = rows.map((row) => row["QUERY PLAN"] as string).filter((line) => !line.includes("never executed"));
      return [...new Set(read.join("\n").match(/Request\w*_(p\d+|default)/g))].sort();
    };
    expect(await explain({ organizationId, from: new Date("2026-03-04T10:00:00Z"), to: new Date("2026-03-05T02:00:00Z") })).toEqual([
      "Request_p20260304", "Request_p20260305",
    ]);
    expect(await explain({ organizationId, from: new Date("2026-03-04T10:00:00Z"), to: new Date("2026-03-04T11:00:00Z"), properties: { env: "prod" } })).toEqual([
      "RequestProperty_p20260304", "Request_p20260304",
    ]);
    // without a range every partition is read, the default one included
    expect(await explain({ organizationId })).toContain("Request_default");
  });
});
