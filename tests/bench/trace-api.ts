/**
 * Trace API: a 10,000-node random trace and a 100-level chain. Measures tree build + metrics +
 * JSON in-process (the server-side work: lib/read-api/get-trace.ts), alone and with the row read
 * (lib/storage/trace-rows.ts); then the whole GET /api/v1/traces/{id} through the running app,
 * as Node's fetch sends it (accepting gzip, which server.ts applies: lib/http/compression.ts),
 * uncompressed, as brotli, and as headless Chromium fetches it from a page of the app (it asks
 * for brotli, and decodes in another process than the page's). Target: ≤ 150 ms for 10,000
 * nodes, as a browser would fetch it.
 *
 *   tsx tests/bench/trace-api.ts [--runs 7]
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium, type Page } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../e2e/environment";
import { percentile, round, writeResult } from "./bench-processes";
import { chainTraceRequests, randomTraceRequests } from "./synthetic-requests";

const { values } = parseArgs({ options: { runs: { type: "string", default: "7" } } });
const RUNS = Number(values.runs);

const dataDir = mkdtempSync(join(tmpdir(), "bench-trace-"));
process.env.DATABASE_URL = `file:${join(dataDir, "bench.db")}`;
const { migrateDatabase } = await import("../../lib/storage/migrate");
const { ensureFirstStart } = await import("../../lib/auth/first-start");
const { saveLoggedRequests } = await import("../../lib/storage/request-rows");
const { findTraceRows, closeTraceReaders } = await import("../../lib/storage/trace-rows");
const { traceJsonChunks } = await import("../../lib/read-api/get-trace");
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
    const rows = await findTraceRows(organizationId, c.traceId);
    // What the route does once it has the rows: tree, metrics, and the JSON bytes it streams.
    const json = (traceRows: Parameters<typeof traceJsonChunks>[1]) => {
      let bytes = 0;
      for (const chunk of traceJsonChunks(c.traceId, traceRows)) bytes += chunk.length;
      return bytes;
    };
    const buildAndSerialize = await timeRuns(() => json(rows));
    const withQuery = await timeRuns(async () => json(await findTraceRows(organizationId, c.traceId)));
    results.push({
      case: c.name,
      nodes: c.requests.length,
      "build+metrics+JSON ms (p50)": buildAndSerialize.p50,
      "with DB query ms (p50)": withQuery.p50,
    });
  }
  await closeDb();
  await closeTraceReaders();

  const app = await startApp({ databaseUrl: process.env.DATABASE_URL! });
  // Chromium, where installed (the trace-view bench and the browser tests need it too).
  const browser = existsSync(CHROMIUM_PATH) ? await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS }) : null;
  try {
    const page = browser ? await browser.newPage() : null;
    await page?.goto(`${app.url}/api/health`);
    for (const [i, c] of cases.entries()) {
      // As Node's fetch sends it (Accept-Encoding: gzip, deflate over http), uncompressed, brotli
      // (what fetch and browsers ask for over https), and from a page in Chromium. They take
      // turns run by run, so that a burst of load on the shared machine falls on each alike.
      const path = `/api/v1/traces/${c.traceId}`;
      const variants: Record<string, () => Promise<Fetched>> = {
        gzip: () => fetchInNode(`${app.url}${path}`, app.apiKey, {}),
        identity: () => fetchInNode(`${app.url}${path}`, app.apiKey, { "accept-encoding": "identity" }),
        br: () => fetchInNode(`${app.url}${path}`, app.apiKey, { "accept-encoding": "br" }),
        ...(page ? { chromium: () => fetchInPage(page, path, app.apiKey) } : {}),
      };
      const samples: Record<string, number[]> = {};
      const received: Record<string, string> = {};
      for (let run = 0; run <= RUNS; run++) {
        for (const [name, fetchTrace] of Object.entries(variants)) {
          const { ms, encoding } = await fetchTrace();
          if (run > 0) (samples[name] ??= []).push(ms); // run 0 warms up
          received[name] = encoding;
        }
      }
      const p = (name: string, q: number) => round(percentile([...samples[name]!].sort((a, b) => a - b), q));
      results[i]!["GET /api/v1/traces ms (p50)"] = p("gzip", 50);
      results[i]!["GET p95"] = p("gzip", 95);
      results[i]!["encoding"] = received.gzip;
      results[i]!["GET uncompressed ms (p50)"] = p("identity", 50);
      results[i]!["GET brotli ms (p50)"] = p("br", 50);
      if (samples.chromium) {
        results[i]!["GET in Chromium ms (p50)"] = p("chromium", 50);
        results[i]!["Chromium encoding"] = received.chromium;
      }
    }
  } finally {
    await browser?.close();
    await app.stop();
  }

  console.table(results);
  const [wide] = results;
  console.log(
    `10,000-node trace: ${wide!["with DB query ms (p50)"]} ms p50 server side, through the API ${wide!["GET /api/v1/traces ms (p50)"]} ms ` +
      `(${wide!["encoding"]}) / ${wide!["GET uncompressed ms (p50)"]} ms uncompressed / ${wide!["GET brotli ms (p50)"]} ms brotli` +
      (wide!["GET in Chromium ms (p50)"] === undefined ? "" : ` / ${wide!["GET in Chromium ms (p50)"]} ms in Chromium (${wide!["Chromium encoding"]})`) +
      " (target ≤ 150 ms as a browser fetches it)",
  );
  console.log(`wrote ${writeResult("trace-api", { runs: RUNS, results })}`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

interface Fetched {
  ms: number;
  /** Content-Encoding of the answer */
  encoding: string;
}

async function fetchInNode(url: string, apiKey: string, headers: Record<string, string>): Promise<Fetched> {
  const start = performance.now();
  const response = await fetch(url, { headers: { authorization: `Bearer ${apiKey}`, ...headers } });
  if (response.status !== 200) throw new Error(`status ${response.status}`);
  await response.arrayBuffer();
  return { ms: performance.now() - start, encoding: response.headers.get("content-encoding") ?? "identity" };
}

/** Timed inside the page, from the call to fetch until the whole body is in the page. */
function fetchInPage(page: Page, path: string, apiKey: string): Promise<Fetched> {
  return page.evaluate(
    async ({ path, apiKey }) => {
      const start = performance.now();
      const response = await fetch(path, { headers: { authorization: `Bearer ${apiKey}` }, cache: "no-store" });
      if (response.status !== 200) throw new Error(`status ${response.status}`);
      await response.arrayBuffer();
      return { ms: performance.now() - start, encoding: response.headers.get("content-encoding") ?? "identity" };
    },
    { path, apiKey },
  );
}
