/**
 * Proxy overhead, three targets side by side in one run:
 *   (a) the mock provider directly, (b) a bare undici pass-through proxy (its own process),
 *   (c) our app with logging on (real server, temp SQLite).
 * Latency: open-loop load at a fixed rate with exponentially spaced (Poisson) arrivals, each timed
 * from its scheduled send time, so queueing shows up instead of being hidden by a closed loop.
 * Throughput: 50 connections saturating each target. Streaming: time to first byte. (The load:
 * proxy-load.ts.)
 * Finally checks that every request (c) answered was logged.
 *
 *   tsx tests/bench/proxy-overhead.ts [--rate 200] [--seconds 5] [--rounds 3]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { startApp } from "../helpers/app-server";
import { BENCH_APP_ENV, median, percentile, round, spawnListening, writeResult } from "./bench-processes";
import { CONNECTIONS, openLoopLatencies, proxyTarget, saturatedThroughput, streamingFirstByte, type Target } from "./proxy-load";

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

async function main() {
  const mock = await spawnListening("scripts/mock-provider.ts", ["--port", "0", "--latency-ms", UPSTREAM_LATENCY_MS]);
  const bare = await spawnListening("tests/bench/bare-proxy.ts", [mock.url]);
  const dataDir = mkdtempSync(join(tmpdir(), "bench-proxy-"));
  const databaseFile = join(dataDir, "bench.db");
  const app = await startApp({ databaseUrl: `file:${databaseFile}`, openaiUpstreamUrl: mock.url, env: BENCH_APP_ENV });
  const targets: Target[] = [
    proxyTarget("mock", mock.url),
    proxyTarget("bare", bare.url),
    proxyTarget("app", app.url, { "helicone-auth": `Bearer ${app.apiKey}`, "helicone-node-id": "bench:call", "helicone-property-run": "bench" }),
  ];
  try {
    for (const target of targets) await openLoopLatencies(target, RATE, SECONDS); // warm-up round, not counted

    const latency: Record<string, { p50: number[]; p99: number[]; errors: number }> = {};
    for (const target of targets) latency[target.name] = { p50: [], p99: [], errors: 0 };
    for (let round_ = 0; round_ < ROUNDS; round_++) {
      for (const target of targets) {
        const { latencies, errors } = await openLoopLatencies(target, RATE, SECONDS);
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
    for (const target of targets) ttfb[target.name] = median(await streamingFirstByte(target, 100));

    // Every request the app answered must be logged: count rows once the writer has caught up.
    const db = new Database(databaseFile, { readonly: true });
    const countRows = () => (db.prepare('SELECT COUNT(*) AS n FROM "Request"').get() as { n: number }).n;
    let logged = countRows();
    const appAnswered = targets[2]!.answered;
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
