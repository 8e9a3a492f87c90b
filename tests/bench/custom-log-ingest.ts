/**
 * Custom-log ingest: one record per POST /v1/trace/custom/log, 50 connections, into SQLite.
 * A 200 means stored, so afterwards the row count must equal the 200s. Target ≥ 3,000 records/s.
 * Measured after a warm-up: the app's first seconds also load Next's pages on the same thread,
 * which made the figure depend on how soon the load started.
 *
 *   tsx tests/bench/custom-log-ingest.ts [--seconds 5] [--warmup-seconds 5] [--connections 50]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { Pool } from "undici";
import { startApp } from "../helpers/app-server";
import { appCpuSeconds, cpuUsed } from "./app-cpu";
import { BENCH_APP_ENV, round, writeResult } from "./bench-processes";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "5" }, "warmup-seconds": { type: "string", default: "5" }, connections: { type: "string", default: "50" } },
});
const SECONDS = Number(values.seconds);
const WARMUP_SECONDS = Number(values["warmup-seconds"]);
const CONNECTIONS = Number(values.connections);

const dataDir = mkdtempSync(join(tmpdir(), "bench-custom-log-"));
const databaseFile = join(dataDir, "bench.db");
const app = await startApp({ databaseUrl: `file:${databaseFile}`, env: BENCH_APP_ENV });
const pool = new Pool(app.url, { connections: CONNECTIONS });

function body(i: number): string {
  const now = Date.now();
  return JSON.stringify({
    providerRequest: {
      url: "https://api.anthropic.com/v1/messages",
      json: { model: "claude-3-opus-20240229", messages: [{ role: "user", content: `Question ${i}` }] },
      meta: {},
    },
    providerResponse: {
      json: { type: "message", role: "assistant", model: "claude-3-opus-20240229", content: [{ type: "text", text: "Answer" }], usage: { input_tokens: 12, output_tokens: 30 } },
      status: 200,
      headers: {},
    },
    timing: { startTime: now - 800, endTime: now },
    provider: "anthropic",
  });
}

const storedRows = () => {
  const db = new Database(databaseFile, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM "Request"').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

let sent = 0;

/** 50 connections each posting one record at a time for `seconds`; counts the answers. */
async function postFor(seconds: number): Promise<{ accepted: number; rejected: number; elapsed: number }> {
  let accepted = 0;
  let rejected = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, worker) => {
      while (performance.now() < deadline) {
        const response = await pool.request({
          path: "/v1/trace/custom/log",
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${app.apiKey}`, "helicone-node-id": `bench-${worker}:n${sent}` },
          body: body(sent++),
        });
        await response.body.text();
        if (response.statusCode === 200) accepted++;
        else rejected++;
      }
    }),
  );
  return { accepted, rejected, elapsed: (performance.now() - started) / 1000 };
}

try {
  await postFor(WARMUP_SECONDS);
  const before = storedRows();
  const cpuBefore = appCpuSeconds();
  const { accepted, rejected, elapsed } = await postFor(SECONDS);
  const cpu = cpuUsed(cpuBefore, appCpuSeconds());
  const stored = storedRows() - before;
  const perRecord = (seconds: number | undefined) => (seconds === undefined ? null : round((seconds * 1e6) / accepted, 1));
  const result = {
    connections: CONNECTIONS,
    seconds: round(elapsed),
    accepted,
    rejected,
    stored,
    lost: accepted - stored,
    recordsPerSecond: Math.round(accepted / elapsed),
    "app CPU µs/record": perRecord(cpu?.all),
    "main thread µs/record": perRecord(cpu?.main),
    "write thread µs/record": perRecord(cpu?.busiestOther),
  };
  console.table([result]);
  console.log(
    `custom log: ${result.recordsPerSecond} records/s into SQLite, ${result.lost} lost (target ≥ 3,000/s, 0 lost); ` +
      `app CPU ${result["app CPU µs/record"]} µs a record, ${result["main thread µs/record"]} µs of it on the main thread, ${result["write thread µs/record"]} µs on the write thread`,
  );
  console.log(`wrote ${writeResult("custom-log-ingest", result)}`);
  if (result.lost !== 0 || rejected !== 0) process.exitCode = 1;
} finally {
  await pool.close();
  await app.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
