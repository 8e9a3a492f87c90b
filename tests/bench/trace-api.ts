/**
 * Trace API: a 10,000-node random trace and a 100-level chain. Measures tree build + metrics +
 * JSON in-process (the server-side work), then the whole GET /api/v1/traces/{id} through the
 * running app. Target: ≤ 150 ms for 10,000 nodes.
 *
 *   tsx tests/bench/trace-api.ts [--runs 7]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { percentile, round, writeResult } from "./bench-processes";
import { chainTraceRequests, randomTraceRequests } from "./synthetic-requests";

const { values } = parseArgs({ options: { runs: { type: "string", default: "7" } } });
const RUNS = Number(values.runs);

const dataDir = mkdtempSync(join(tmpdir(), "bench-trace-"));
process.env.DATABASE_URL = `file:${join(dataDir, "bench.db")}`;
const { migrateDatabase } = await import("../../lib/storage/migrate");
const { ensureFirstStart } = await import("../../lib/storage/first-start");
const { saveLoggedRequests, findTraceRequests } = await import("../../lib/storage/requests");
const { traceResponse } = await import("../../lib/read-api/get-trace");
const { closeDb } = await import("../../lib/storage/db");
const { startApp } = await import("../helpers/app-server");

async function timeRuns(fn: () => Promise<unknown> | unknown): Promise<{ p50: number; p95: number }> {
  await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: round(percentile(samples, 50)), p95: round(percentile(samples, 95)) };
}

try {
  await migrateDatabase();
  const { organizationId } = await ensureFirstStart({});
  const cases = [
    { name: "random tree, 10,000 nodes", traceId: "bench-wide", requests: randomTraceRequests(organizationId, "bench-wide", 10_000) },
    { name: "chain, 100 levels", traceId: "bench-deep", requests: chainTraceRequests(organizationId, "bench-deep", 100) },
  ];
  for (const c of cases) {
    for (let i = 0; i < c.requests.length; i += 1000) await saveLoggedRequests(c.requests.slice(i, i + 1000));
  }

  const results: Record<string, unknown>[] = [];
  for (const c of cases) {
    const rows = await findTraceRequests(organizationId, c.traceId);
    const buildAndSerialize = await timeRuns(() => JSON.stringify(traceResponse(c.traceId, rows)));
    const withQuery = await timeRuns(async () => JSON.stringify(traceResponse(c.traceId, await findTraceRequests(organizationId, c.traceId))));
    results.push({ case: c.name, nodes: c.requests.length, "build+metrics+JSON ms (p50)": buildAndSerialize.p50, "with DB query ms (p50)": withQuery.p50 });
  }
  await closeDb();

  const app = await startApp({ databaseUrl: process.env.DATABASE_URL! });
  try {
    for (const [i, c] of cases.entries()) {
      const http = await timeRuns(async () => {
        const response = await fetch(`${app.url}/api/v1/traces/${c.traceId}`, { headers: { authorization: `Bearer ${app.apiKey}` } });
        if (response.status !== 200) throw new Error(`status ${response.status}`);
        await response.arrayBuffer();
      });
      results[i]!["GET /api/v1/traces ms (p50)"] = http.p50;
      results[i]!["GET p95"] = http.p95;
    }
  } finally {
    await app.stop();
  }

  console.table(results);
  const tenThousand = results[0]!["GET /api/v1/traces ms (p50)"] as number;
  console.log(`10,000-node trace through the API: ${tenThousand} ms p50 (target ≤ 150 ms)`);
  console.log(`wrote ${writeResult("trace-api", { runs: RUNS, results })}`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
