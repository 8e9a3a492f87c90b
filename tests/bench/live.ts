/**
 * Live views against ingest: the proxy's overhead with no live stream open and with 200 (the
 * trace view's and the Requests page's Server-Sent Events), side by side in one run, as ratios.
 * The worst case: half the streams follow the very trace the load writes, half the whole
 * organization, so every stored request is an event on every stream. Phases alternate (none,
 * all, none, all, …) so that drift in the machine's load falls on both alike. Each phase's load is
 * proxy-overhead.ts's (proxy-load.ts): open-loop latency at a fixed rate, then saturated
 * throughput; overhead is the app's latency less the mock provider's, measured in the same round.
 * On a shared machine latency moves with whatever else runs; the app's main-thread CPU per proxied
 * request does not, and is the figure to compare. Also checks that every stream heard every
 * request stored while it was open, and times how long a request takes from its answer to its
 * event with all streams open.
 *
 *   tsx tests/bench/live.ts [--rate 200] [--seconds 5] [--rounds 3] [--streams 200]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { startApp } from "../helpers/app-server";
import { appCpuSeconds, cpuUsed } from "./app-cpu";
import { BENCH_APP_ENV, median, percentile, round, spawnListening, writeResult } from "./bench-processes";
import { openLoopLatencies, proxyTarget, saturatedThroughput } from "./proxy-load";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "200" },
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    streams: { type: "string", default: "200" },
    "upstream-latency-ms": { type: "string", default: "20" },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const STREAMS = Number(values.streams);
const UPSTREAM_LATENCY_MS = values["upstream-latency-ms"]!;
const TRACE_ID = "bench-live";
const PROBES = 20;

/** An open event stream that counts its request events (a substring count: the bench's CPU is the app's too). */
interface CountingStream {
  heard: number;
  /** arrival time per request id, for the probes (only on a stream asked to track them) */
  arrivals: Map<string, number>;
  close(): void;
}

async function openStream(pool: Pool, path: string, apiKey: string, trackIds: boolean): Promise<CountingStream> {
  const abort = new AbortController();
  const response = await pool.request({ path, method: "GET", headers: { authorization: `Bearer ${apiKey}`, accept: "text/event-stream" }, signal: abort.signal });
  if (response.statusCode !== 200) throw new Error(`${path}: status ${response.statusCode}`);
  const stream: CountingStream = { heard: 0, arrivals: new Map(), close: () => abort.abort() };
  let pending = "";
  response.body.setEncoding("utf8");
  response.body.on("data", (chunk: string) => {
    pending += chunk;
    const frames = pending.split("\n\n");
    pending = frames.pop()!;
    for (const frame of frames) {
      if (!frame.startsWith("event: request")) continue;
      stream.heard++;
      if (trackIds) stream.arrivals.set(/"id":"([^"]+)"/.exec(frame)![1]!, performance.now());
    }
  });
  response.body.on("error", () => {}); // aborted by close()
  return stream;
}

async function main() {
  const mock = await spawnListening("scripts/mock-provider.ts", ["--port", "0", "--latency-ms", UPSTREAM_LATENCY_MS]);
  const dataDir = mkdtempSync(join(tmpdir(), "bench-live-"));
  const app = await startApp({ databaseUrl: `file:${join(dataDir, "bench.db")}`, openaiUpstreamUrl: mock.url, env: BENCH_APP_ENV });
  const direct = proxyTarget("mock", mock.url);
  const proxied = proxyTarget("app", app.url, { "helicone-auth": `Bearer ${app.apiKey}`, "helicone-node-id": `${TRACE_ID}:call` });
  const streamPool = new Pool(app.url, { connections: STREAMS + 8, pipelining: 1 });

  const newPhase = () => ({ p50: [] as number[], p99: [] as number[], rps: [] as number[], mainCpuUsPerRequest: [] as number[], errors: 0 });
  const phases = { none: newPhase(), open: newPhase() };
  const delivery = { expectedPerStream: [] as number[], minHeard: [] as number[], maxHeard: [] as number[] };
  const probeLagsMs: number[] = [];
  try {
    await openLoopLatencies(direct, RATE, SECONDS); // warm-up, not counted
    await openLoopLatencies(proxied, RATE, SECONDS);

    for (let round_ = 0; round_ < ROUNDS; round_++) {
      for (const phase of ["none", "open"] as const) {
        const streams: CountingStream[] = [];
        if (phase === "open") {
          for (let i = 0; i < STREAMS; i++) {
            const path = i % 2 === 0 ? `/api/v1/traces/${TRACE_ID}/events` : "/api/v1/requests/events";
            streams.push(await openStream(streamPool, path, app.apiKey, i === 1));
          }
        }
        const answeredBefore = proxied.answered;
        const mockRun = await openLoopLatencies(direct, RATE, SECONDS);
        const cpuBefore = appCpuSeconds(app.pid);
        const answeredBeforeLoad = proxied.answered;
        const appRun = await openLoopLatencies(proxied, RATE, SECONDS);
        const throughput = await saturatedThroughput(proxied, Math.max(2, SECONDS / 2));
        const cpu = cpuUsed(cpuBefore, appCpuSeconds(app.pid));
        if (cpu) phases[phase].mainCpuUsPerRequest.push((cpu.main * 1e6) / (proxied.answered - answeredBeforeLoad));
        const mockP50 = percentile(mockRun.latencies, 50);
        const mockP99 = percentile(mockRun.latencies, 99);
        phases[phase].p50.push(percentile(appRun.latencies, 50) - mockP50);
        phases[phase].p99.push(percentile(appRun.latencies, 99) - mockP99);
        phases[phase].rps.push(throughput.requestsPerSecond);
        phases[phase].errors += appRun.errors + throughput.errors;

        if (phase === "open") {
          // One request at a time, each timed from its answer to its event on an organization stream.
          const probeTarget = proxyTarget("probe", app.url, { "helicone-auth": `Bearer ${app.apiKey}` });
          for (let i = 0; i < PROBES; i++) {
            const nodeId = `${TRACE_ID}:probe-${round_}-${i}`;
            const response = await probeTarget.pool.request({
              path: "/v1/chat/completions",
              method: "POST",
              headers: { "content-type": "application/json", authorization: "Bearer sk-bench", "helicone-auth": `Bearer ${app.apiKey}`, "helicone-node-id": nodeId },
              body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "probe" }] }),
            });
            await response.body.dump();
            const answeredAt = performance.now();
            const id = String(response.headers["helicone-id"]);
            const deadline = answeredAt + 5_000;
            while (!streams[1]!.arrivals.has(id) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
            probeLagsMs.push((streams[1]!.arrivals.get(id) ?? Number.POSITIVE_INFINITY) - answeredAt);
          }
          await probeTarget.pool.close();
          // The last answers' logs are stored within the writer's gather time and a batch: then every stream has heard everything.
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          const expected = proxied.answered - answeredBefore + PROBES;
          const heard = streams.map((stream) => stream.heard);
          delivery.expectedPerStream.push(expected);
          delivery.minHeard.push(Math.min(...heard));
          delivery.maxHeard.push(Math.max(...heard));
          for (const stream of streams) stream.close();
        }
        console.log(
          `round ${round_ + 1} ${phase === "none" ? "no streams" : `${STREAMS} streams`}: added p50 ${round(phases[phase].p50.at(-1)!)} ms, p99 ${round(phases[phase].p99.at(-1)!)} ms, ` +
            `${Math.round(throughput.requestsPerSecond)} req/s, main thread ${Math.round(phases[phase].mainCpuUsPerRequest.at(-1) ?? Number.NaN)} µs CPU a request`,
        );
      }
    }

    const m = (values: number[]) => round(median(values));
    const sortedLags = [...probeLagsMs].sort((a, b) => a - b);
    const result = {
      config: { rate: RATE, seconds: SECONDS, rounds: ROUNDS, streams: STREAMS, upstreamLatencyMs: Number(UPSTREAM_LATENCY_MS) },
      addedLatencyMs: {
        noStreams: { p50: m(phases.none.p50), p99: m(phases.none.p99) },
        withStreams: { p50: m(phases.open.p50), p99: m(phases.open.p99) },
      },
      throughputRps: { noStreams: Math.round(median(phases.none.rps)), withStreams: Math.round(median(phases.open.rps)) },
      mainThreadCpuUsPerRequest: { noStreams: Math.round(median(phases.none.mainCpuUsPerRequest)), withStreams: Math.round(median(phases.open.mainCpuUsPerRequest)) },
      ratios: {
        mainCpuPerRequestWithOverWithout: round(median(phases.open.mainCpuUsPerRequest) / median(phases.none.mainCpuUsPerRequest), 3),
        addedP50WithOverWithout: round(median(phases.open.p50) / median(phases.none.p50), 3),
        addedP99WithOverWithout: round(median(phases.open.p99) / median(phases.none.p99), 3),
        throughputWithOverWithout: round(median(phases.open.rps) / median(phases.none.rps), 3),
      },
      errors: { noStreams: phases.none.errors, withStreams: phases.open.errors },
      // A stream may also hear the tail of the phase before it (logs still being stored as it opened).
      delivery: { ...delivery, allHeardEverything: delivery.minHeard.every((heard, i) => heard >= delivery.expectedPerStream[i]!) },
      eventLagMs: { p50: round(percentile(sortedLags, 50)), max: round(sortedLags.at(-1) ?? Number.NaN) },
    };
    const path = writeResult("live", result);
    console.table({
      "added p50 ms": { "0 streams": result.addedLatencyMs.noStreams.p50, [`${STREAMS} streams`]: result.addedLatencyMs.withStreams.p50 },
      "added p99 ms": { "0 streams": result.addedLatencyMs.noStreams.p99, [`${STREAMS} streams`]: result.addedLatencyMs.withStreams.p99 },
      "req/s @50": { "0 streams": result.throughputRps.noStreams, [`${STREAMS} streams`]: result.throughputRps.withStreams },
      "main µs CPU/req": { "0 streams": result.mainThreadCpuUsPerRequest.noStreams, [`${STREAMS} streams`]: result.mainThreadCpuUsPerRequest.withStreams },
    });
    console.log(
      `with ${STREAMS} streams / without: main-thread CPU a request ×${result.ratios.mainCpuPerRequestWithOverWithout}, added p50 ×${result.ratios.addedP50WithOverWithout}, ` +
        `added p99 ×${result.ratios.addedP99WithOverWithout}, throughput ×${result.ratios.throughputWithOverWithout}`,
    );
    console.log(`delivery: every stream heard ${result.delivery.minHeard.join("/")} of ${result.delivery.expectedPerStream.join("/")} requests (${result.delivery.allHeardEverything ? "all" : "NOT all"})`);
    console.log(`answer → event on an organization stream, ${STREAMS} streams open: p50 ${result.eventLagMs.p50} ms, max ${result.eventLagMs.max} ms`);
    console.log(`wrote ${path}`);
  } finally {
    await Promise.all([direct.pool.close(), proxied.pool.close(), streamPool.destroy()]);
    await app.stop();
    await mock.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
