/**
 * Proxy overhead, three targets side by side in one run:
 *   (a) the mock provider directly, (b) a bare undici pass-through proxy (its own process),
 *   (c) our app with logging on (real server, temp SQLite).
 * Latency: open-loop load at a fixed rate with exponentially spaced (Poisson) arrivals, each timed
 * from its scheduled send time, so queueing shows up instead of being hidden by a closed loop.
 * Throughput: 50 connections saturating each target. Streaming: time to first byte.
 * Finally checks that every request (c) answered was logged.
 *
 *   tsx tests/bench/proxy-overhead.ts [--rate 200] [--seconds 5] [--rounds 3]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { Pool } from "undici";
import { startApp } from "../helpers/app-server";
import { BENCH_APP_ENV, median, percentile, round, spawnListening, writeResult } from "./bench-processes";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "200" },
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    "upstream-latency-ms": { type: "string", default: "20" },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const UPSTREAM_LATENCY_MS = values["upstream-latency-ms"]!;
const CONNECTIONS = 50;

const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Summarize the plan in one line." }] });
const streamBody = JSON.stringify({
  model: "gpt-4o-mini",
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: "user", content: "Stream a short answer." }],
});

/** successful answers per target, to check that the app logged every one it gave */
const answered: Record<string, number> = {};

interface Target {
  name: string;
  origin: string;
  headers: Record<string, string>;
  pool: Pool;
}

async function timedRequest(target: Target, payload: string, extraHeaders: Record<string, string> = {}) {
  const response = await target.pool.request({
    path: "/v1/chat/completions",
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-bench", ...target.headers, ...extraHeaders },
    body: payload,
  });
  let firstByteAt: number | null = null;
  for await (const _chunk of response.body) firstByteAt ??= performance.now();
  if (response.statusCode !== 200) throw new Error(`${target.name}: status ${response.statusCode}`);
  answered[target.name] = (answered[target.name] ?? 0) + 1;
  return { firstByteAt: firstByteAt ?? performance.now() };
}

/** Open loop: requests leave at their scheduled times whether or not earlier ones returned. */
async function openLoopLatencies(target: Target): Promise<{ latencies: number[]; errors: number }> {
  const count = RATE * SECONDS;
  const latencies: number[] = [];
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  let scheduled = performance.now() + 20;
  for (let i = 0; i < count; i++) {
    scheduled += (-Math.log(1 - Math.random()) / RATE) * 1000;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sendAt = scheduled;
    inFlight.push(
      timedRequest(target, body).then(
        () => void latencies.push(performance.now() - sendAt),
        () => void errors++,
      ),
    );
  }
  await Promise.all(inFlight);
  return { latencies: latencies.sort((a, b) => a - b), errors };
}

async function saturatedThroughput(target: Target, seconds: number): Promise<{ requestsPerSecond: number; errors: number }> {
  const deadline = performance.now() + seconds * 1000;
  let completed = 0;
  let errors = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline) {
        await timedRequest(target, body).then(
          () => void completed++,
          () => void errors++,
        );
      }
    }),
  );
  return { requestsPerSecond: completed / ((performance.now() - start) / 1000), errors };
}

async function streamingFirstByte(target: Target, count: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const sentAt = performance.now();
    const { firstByteAt } = await timedRequest(target, streamBody, { "x-mock-completion-tokens": "8" });
    samples.push(firstByteAt - sentAt);
  }
  return median(samples);
}

async function main() {
  const mock = await spawnListening("scripts/mock-provider.ts", ["--port", "0", "--latency-ms", UPSTREAM_LATENCY_MS]);
  const bare = await spawnListening("tests/bench/bare-proxy.ts", [mock.url]);
  const dataDir = mkdtempSync(join(tmpdir(), "bench-proxy-"));
  const databaseFile = join(dataDir, "bench.db");
  const app = await startApp({ databaseUrl: `file:${databaseFile}`, openaiUpstreamUrl: mock.url, env: BENCH_APP_ENV });
  const pool = (origin: string) => new Pool(origin, { connections: 256, pipelining: 1 });
  const targets: Target[] = [
    { name: "mock", origin: mock.url, headers: {}, pool: pool(mock.url) },
    { name: "bare", origin: bare.url, headers: {}, pool: pool(bare.url) },
    {
      name: "app",
      origin: app.url,
      headers: { "helicone-auth": `Bearer ${app.apiKey}`, "helicone-node-id": "bench:call", "helicone-property-run": "bench" },
      pool: pool(app.url),
    },
  ];
  try {
    for (const target of targets) await openLoopLatencies(target); // warm-up round, not counted

    const latency: Record<string, { p50: number[]; p99: number[]; errors: number }> = {};
    for (const target of targets) latency[target.name] = { p50: [], p99: [], errors: 0 };
    for (let round_ = 0; round_ < ROUNDS; round_++) {
      for (const target of targets) {
        const { latencies, errors } = await openLoopLatencies(target);
        latency[target.name]!.p50.push(percentile(latencies, 50));
        latency[target.name]!.p99.push(percentile(latencies, 99));
        latency[target.name]!.errors += errors;
      }
    }

    const throughput: Record<string, number[]> = { mock: [], bare: [], app: [] };
    for (let round_ = 0; round_ < ROUNDS; round_++) {
      for (const target of targets) {
        const { requestsPerSecond } = await saturatedThroughput(target, 3);
        throughput[target.name]!.push(requestsPerSecond);
      }
    }

    const ttfb: Record<string, number> = {};
    for (const target of targets) ttfb[target.name] = await streamingFirstByte(target, 100);

    // Every request the app answered must be logged: count rows once the writer has caught up.
    const db = new Database(databaseFile, { readonly: true });
    const countRows = () => (db.prepare('SELECT COUNT(*) AS n FROM "Request"').get() as { n: number }).n;
    let logged = countRows();
    const appAnswered = answered.app ?? 0;
    for (let i = 0; i < 100 && logged < appAnswered; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      logged = countRows();
    }
    db.close();

    const m = (name: string, key: "p50" | "p99") => median(latency[name]![key]);
    const result = {
      config: { rate: RATE, seconds: SECONDS, rounds: ROUNDS, upstreamLatencyMs: Number(UPSTREAM_LATENCY_MS), connections: CONNECTIONS },
      latencyMs: Object.fromEntries(targets.map((t) => [t.name, { p50: round(m(t.name, "p50")), p99: round(m(t.name, "p99")), errors: latency[t.name]!.errors }])),
      addedLatencyMs: {
        vsMock: { p50: round(m("app", "p50") - m("mock", "p50")), p99: round(m("app", "p99") - m("mock", "p99")) },
        vsBare: { p50: round(m("app", "p50") - m("bare", "p50")), p99: round(m("app", "p99") - m("bare", "p99")) },
        bareVsMock: { p50: round(m("bare", "p50") - m("mock", "p50")), p99: round(m("bare", "p99") - m("mock", "p99")) },
      },
      throughputRps: Object.fromEntries(targets.map((t) => [t.name, Math.round(median(throughput[t.name]!))])),
      appShareOfBare: round(median(throughput.app!) / median(throughput.bare!), 3),
      streamingTtfbMs: Object.fromEntries(Object.entries(ttfb).map(([k, v]) => [k, round(v)])),
      streamingTtfbAddedMs: { vsMock: round(ttfb.app! - ttfb.mock!), vsBare: round(ttfb.app! - ttfb.bare!) },
      logging: { answered: appAnswered, logged, lost: appAnswered - logged },
    };
    const path = writeResult("proxy-overhead", result);
    console.table({
      "p50 ms": Object.fromEntries(targets.map((t) => [t.name, round(m(t.name, "p50"))])),
      "p99 ms": Object.fromEntries(targets.map((t) => [t.name, round(m(t.name, "p99"))])),
      "req/s @50": result.throughputRps,
      "stream TTFB ms": result.streamingTtfbMs,
    });
    console.log(`added vs mock: p50 ${result.addedLatencyMs.vsMock.p50} ms, p99 ${result.addedLatencyMs.vsMock.p99} ms (targets ≤ 1 / ≤ 5)`);
    console.log(`added vs bare: p50 ${result.addedLatencyMs.vsBare.p50} ms, p99 ${result.addedLatencyMs.vsBare.p99} ms`);
    console.log(`throughput: app ${Math.round(result.appShareOfBare * 100)} % of bare (target ≥ 90 %)`);
    console.log(`streaming TTFB added vs mock: ${result.streamingTtfbAddedMs.vsMock} ms (target ≤ 1.5)`);
    console.log(`logging: ${result.logging.logged} of ${result.logging.answered} answered requests logged`);
    console.log(`wrote ${path}`);
  } finally {
    await Promise.all(targets.map((t) => t.pool.close()));
    await app.stop();
    await bare.stop();
    await mock.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
