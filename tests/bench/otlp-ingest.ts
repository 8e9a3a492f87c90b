/**
 * OTLP ingest: agent traces posted to POST /v1/traces as protobuf, in batches of 100 and of 1,000
 * spans, over a few keep-alive connections, into SQLite (or PostgreSQL with --database postgres: a
 * throwaway database on the local server). A 200 means stored, so after each phase
 * the new row count must equal the spans accepted. Payloads are encoded before the clock starts.
 * Target ≥ 20,000 spans/s, nothing lost. Loopback only; bounded by --seconds per phase.
 *
 *   tsx tests/bench/otlp-ingest.ts [--spans 60000] [--connections 4] [--seconds 20] [--database sqlite|postgres] [--app-node-options OPTS]
 *
 * --app-node-options sets NODE_OPTIONS for the app, e.g. `--app-node-options="--require <file>"` with
 * a preload that starts node:inspector's Profiler in each thread it loads in (main and workers) and
 * writes .cpuprofile files: Node 20 refuses --cpu-prof in NODE_OPTIONS.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { Pool } from "undici";
import { startApp } from "../helpers/app-server";
import { protobufExportRequest, randomHexId, type TestSpan } from "../helpers/otlp-requests";
import { appCpuSeconds, cpuUsed } from "./app-cpu";
import { BENCH_APP_ENV, percentile, round, writeResult } from "./bench-processes";

const { values } = parseArgs({
  options: {
    spans: { type: "string", default: "60000" },
    connections: { type: "string", default: "4" },
    seconds: { type: "string", default: "20" },
    database: { type: "string", default: "sqlite" },
    "app-node-options": { type: "string" },
  },
});
const SPANS_PER_PHASE = Number(values.spans);
const CONNECTIONS = Number(values.connections);
const PHASE_LIMIT_MS = Number(values.seconds) * 1000;
const BATCH_SIZES = [100, 1000];

/**
 * One agent run, 10 spans: root → plan (LLM) → 3 tool calls, a retrieval, 4 LLM generations —
 * four in ten spans priced, prompts and completions as attributes, like OpenLLMetry sends them.
 */
function agentTrace(startMs: number): TestSpan[] {
  const traceId = randomHexId(16);
  const rootId = randomHexId(8);
  const planId = randomHexId(8);
  const llm = (name: string, parentSpanId: string, offset: number, i: number): TestSpan => ({
    traceId,
    spanId: randomHexId(8),
    parentSpanId,
    name,
    kind: 3,
    startMs: startMs + offset,
    endMs: startMs + offset + 40,
    attributes: {
      "gen_ai.system": "openai",
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
      "gen_ai.usage.input_tokens": 420 + i,
      "gen_ai.usage.output_tokens": 96,
      "gen_ai.prompt.0.role": "user",
      "gen_ai.prompt.0.content": `Step ${i}: decide what to do next for the task "summarise the quarterly report".`,
      "gen_ai.completion.0.role": "assistant",
      "gen_ai.completion.0.content": "Call the search tool with the report title, then summarise the top three findings.",
    },
  });
  const plain = (name: string, parentSpanId: string, offset: number, attributes: TestSpan["attributes"]): TestSpan => ({
    traceId,
    spanId: randomHexId(8),
    parentSpanId,
    name,
    startMs: startMs + offset,
    endMs: startMs + offset + 15,
    attributes,
  });
  return [
    plain("agent.run", "", 0, { "helicone.session.id": "bench-session", "helicone.property.stage": "bench" }),
    { ...llm("plan", rootId, 5, 0), spanId: planId },
    plain("tool.search", planId, 50, { "tool.name": "search", "tool.arguments": '{"q":"quarterly report"}' }),
    plain("tool.fetch", planId, 70, { "tool.name": "fetch", "http.url": "https://example.invalid/report" }),
    plain("retrieval", planId, 90, { "retrieval.documents": 3 }),
    plain("tool.calculator", planId, 110, { "tool.name": "calculator" }),
    llm("generate", planId, 130, 1),
    llm("generate", planId, 175, 2),
    llm("reflect", rootId, 220, 3),
    llm("answer", rootId, 265, 4),
  ].map((span, i) => (i === 0 ? { ...span, spanId: rootId } : span));
}

// What the Node SDK sends by default (no host or process detectors).
const RESOURCE = { "service.name": "bench-agent", "telemetry.sdk.language": "nodejs", "telemetry.sdk.name": "opentelemetry", "telemetry.sdk.version": "2.7.1" };

function encodeBatches(batchSize: number, spanCount: number): Uint8Array[] {
  const batches: Uint8Array[] = [];
  const startMs = Date.now() - 60_000;
  for (let sent = 0; sent < spanCount; sent += batchSize) {
    const spans: TestSpan[] = [];
    while (spans.length < batchSize) spans.push(...agentTrace(startMs + sent));
    batches.push(protobufExportRequest(spans.slice(0, batchSize), RESOURCE));
  }
  return batches;
}

if (values.database !== "sqlite" && values.database !== "postgres") throw new Error(`--database must be sqlite or postgres, not ${values.database}`);
const onPostgres = values.database === "postgres";
const dataDir = mkdtempSync(join(tmpdir(), "bench-otlp-"));
const databaseFile = join(dataDir, "bench.db");
const postgres = onPostgres ? await (await import("../helpers/test-databases")).createPostgresTestDatabase() : null;
const databaseName = onPostgres ? "PostgreSQL" : "SQLite";
const appNodeOptions = values["app-node-options"];
const app = await startApp({
  databaseUrl: postgres?.url ?? `file:${databaseFile}`,
  env: { ...BENCH_APP_ENV, ...(appNodeOptions && { NODE_OPTIONS: appNodeOptions }) },
}).catch(async (error: unknown) => {
  // the finally below is not reached yet
  rmSync(dataDir, { recursive: true, force: true });
  await postgres?.cleanup();
  throw error;
});
const pool = new Pool(app.url, { connections: CONNECTIONS });
const COUNT_ROWS = 'SELECT COUNT(*) AS n FROM "Request"';
async function storedRows(): Promise<number> {
  if (postgres) {
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      return Number((await client.query<{ n: string }>(COUNT_ROWS)).rows[0]!.n);
    } finally {
      await client.end();
    }
  }
  const db = new Database(databaseFile, { readonly: true });
  try {
    return (db.prepare(COUNT_ROWS).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function post(body: Uint8Array): Promise<number> {
  const response = await pool.request({
    path: "/v1/traces",
    method: "POST",
    headers: { "content-type": "application/x-protobuf", authorization: `Bearer ${app.apiKey}` },
    body,
  });
  await response.body.arrayBuffer();
  return response.statusCode;
}

async function runPhase(batchSize: number) {
  const batches = encodeBatches(batchSize, SPANS_PER_PHASE);
  const before = await storedRows();
  const cpuBefore = appCpuSeconds();
  const latencies: number[] = [];
  let next = 0;
  let accepted = 0;
  let refused = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < batches.length && performance.now() - started < PHASE_LIMIT_MS) {
        const batch = batches[next++]!;
        const sentAt = performance.now();
        const status = await post(batch);
        latencies.push(performance.now() - sentAt);
        if (status === 200) accepted += batchSize;
        else refused += batchSize;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = appCpuSeconds();
  const cpu = cpuUsed(cpuBefore, cpuAfter);
  const stored = (await storedRows()) - before;
  latencies.sort((a, b) => a - b);
  return {
    batchSize,
    connections: CONNECTIONS,
    batches: latencies.length,
    seconds: round(seconds),
    accepted,
    refused,
    stored,
    lost: accepted - stored,
    spansPerSecond: Math.round(accepted / seconds),
    "batch p50 ms": round(percentile(latencies, 50)),
    "batch p99 ms": round(percentile(latencies, 99)),
    "app CPU µs/span": cpu && round((cpu.all * 1e6) / accepted, 1),
    "main thread µs/span": cpu && round((cpu.main * 1e6) / accepted, 1),
    "write thread µs/span": cpu && round((cpu.busiestOther * 1e6) / accepted, 1),
  };
}

try {
  // Warm-up (JIT, caches, SQLite pages): not reported.
  await Promise.all(encodeBatches(100, 2000).map(post));
  const results = [];
  for (const batchSize of BATCH_SIZES) results.push(await runPhase(batchSize));
  console.table(results);
  for (const r of results) {
    console.log(
      `OTLP batches of ${r.batchSize}: ${r.spansPerSecond} spans/s into ${databaseName}, ${r.lost} lost, ${r.refused} refused (target ≥ 20,000/s, 0 lost); ` +
        `app CPU ${r["app CPU µs/span"]} µs a span, ${r["main thread µs/span"]} µs of it on the main thread, ${r["write thread µs/span"]} µs on the write thread`,
    );
  }
  console.log(`wrote ${writeResult("otlp-ingest", { spansPerPhase: SPANS_PER_PHASE, results })}`);
  if (results.some((r) => r.lost !== 0 || r.refused !== 0)) process.exitCode = 1;
} finally {
  await pool.close();
  await app.stop();
  rmSync(dataDir, { recursive: true, force: true });
  await postgres?.cleanup();
}
