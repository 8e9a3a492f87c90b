/**
 * Scale-out, measured (issue 15): proxied calls through HAProxy (tests/helpers/load-balancer.ts)
 * to one and then two instances of the real server on one PostgreSQL database and one Redis, the
 * same load side by side in one run, each configuration on a fresh database:
 *   - saturated: `--connections` callers in a closed loop for `--seconds`: calls/s, latency p50/p95;
 *   - open loop at `--rate` calls/s (Poisson arrivals, timed from the scheduled send): p50/p95;
 *   - the per-call costs a capacity plan needs, over the saturated phase until every log is
 *     stored: CPU ms of the instances, HAProxy, the PostgreSQL backends serving the database (from
 *     /proc), rows inserted (pg_stat_user_tables), bytes on disk per stored call (every table's
 *     pg_total_relation_size, against the fresh database), and, server-wide, WAL bytes and Redis
 *     commands and CPU (other work on the machine adds to those: read them as upper bounds).
 * The load is the test suite's: traces of 20 nodes, a third of the calls streamed. Every answered
 * call must be stored. Then runs tests/bench/partitioned-ingest.ts (ingest into partitioned vs
 * unpartitioned PostgreSQL) when it exists.
 *
 * Everything runs on this machine's 2 cores: the load generator, the mock provider, HAProxy,
 * PostgreSQL, Redis and the instances. Two instances cannot do twice the work of one here, so the
 * comparison measures contention more than scaling; the per-call costs are what carry over to a
 * bigger machine.
 *
 *   tsx tests/bench/scale.ts [--seconds 10] [--connections 64] [--rate 200] [--open-seconds 5]
 *                            [--rounds 1] [--upstream-latency-ms 20] [--skip-partitioned]
 *   npm run bench -- scale --seconds=30 --rounds=3
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import pg from "pg";
import { Pool } from "undici";
import { INSTANCE_HEADER, localRedisUrl, startBalancedInstances, type BalancedInstances } from "../helpers/load-balancer";
import { createPostgresTestDatabase } from "../helpers/test-databases";
import { appCpuSeconds } from "./app-cpu";
import { BENCH_APP_ENV, percentile, projectRoot, round, spawnListening, writeResult } from "./bench-processes";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "64" },
    rate: { type: "string", default: "200" },
    "open-seconds": { type: "string", default: "5" },
    rounds: { type: "string", default: "1" },
    "upstream-latency-ms": { type: "string", default: "20" },
    "skip-partitioned": { type: "boolean", default: false },
  },
});
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const RATE = Number(values.rate);
const OPEN_SECONDS = Number(values["open-seconds"]);
const ROUNDS = Number(values.rounds);
const UPSTREAM_LATENCY_MS = values["upstream-latency-ms"]!;
const WARM_UP_SECONDS = 3;
const REDIS_URL = localRedisUrl(15);
const NODES_PER_TRACE = 20;
const PARTITIONED_INGEST = "tests/bench/partitioned-ingest.ts";

// ---- the load ------------------------------------------------------------------------------------

const plainBody = (question: string) => JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: question }] });
const streamBody = (question: string) =>
  JSON.stringify({ model: "gpt-4o-mini", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: question }] });

interface Load {
  pool: Pool;
  apiKey: string;
  run: string;
  sent: number;
  answered: number;
  errors: number;
  /** answers per instance (the balancer's response header) */
  byInstance: Record<string, number>;
}

/** One proxied call, node `n` of a 20-node trace (flat under its root), every third streamed; resolves with its latency from `scheduledAt`. */
async function call(load: Load, scheduledAt = performance.now()): Promise<number | null> {
  const n = load.sent++;
  const trace = `${load.run}-${Math.floor(n / NODES_PER_TRACE)}`;
  const nodeId = n % NODES_PER_TRACE === 0 ? trace : `${trace}:n${n % NODES_PER_TRACE}`;
  const question = `node ${n}`;
  try {
    const response = await load.pool.request({
      path: "/v1/chat/completions",
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-bench", "helicone-auth": `Bearer ${load.apiKey}`, "helicone-node-id": nodeId },
      body: n % 3 === 0 ? streamBody(question) : plainBody(question),
    });
    await response.body.text(); // read it all, as a client does
    if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
    load.answered++;
    const instance = String(response.headers[INSTANCE_HEADER] ?? "none");
    load.byInstance[instance] = (load.byInstance[instance] ?? 0) + 1;
    return performance.now() - scheduledAt;
  } catch {
    load.errors++;
    return null;
  }
}

async function saturated(load: Load, seconds: number): Promise<{ latencies: number[]; callsPerSecond: number; calls: number }> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline) {
        const latency = await call(load);
        if (latency !== null) latencies.push(latency);
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), callsPerSecond: latencies.length / ((performance.now() - started) / 1000), calls: latencies.length };
}

/** Open loop: calls leave at their scheduled times whether or not earlier ones returned. */
async function openLoop(load: Load, rate: number, seconds: number): Promise<number[]> {
  const latencies: number[] = [];
  const inFlight: Promise<void>[] = [];
  let scheduled = performance.now() + 20;
  for (let i = 0; i < rate * seconds; i++) {
    scheduled += (-Math.log(1 - Math.random()) / rate) * 1000;
    const wait = scheduled - performance.now();
    if (wait > 1) await sleep(wait);
    inFlight.push(call(load, scheduled).then((latency) => void (latency !== null && latencies.push(latency))));
  }
  await Promise.all(inFlight);
  return latencies.sort((a, b) => a - b);
}

// ---- what the calls cost -------------------------------------------------------------------------

/** CPU seconds of a process and all its threads (null without /proc). */
const cpuOf = (pid: number) => appCpuSeconds(pid)?.all ?? 0;

interface DatabaseProbe {
  /** CPU seconds of the backends serving this database (this probe's own left out), by pid */
  backendCpu(): Promise<Map<number, number>>;
  rowsInserted(): Promise<number>;
  bytesOnDisk(): Promise<number>;
  storedRequests(): Promise<number>;
  walBytes(): Promise<bigint>;
  close(): Promise<void>;
}

async function probeDatabase(url: string): Promise<DatabaseProbe> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const one = async <T>(sql: string): Promise<T> => (await client.query(sql)).rows[0] as T;
  return {
    async backendCpu() {
      const { rows } = await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
      return new Map(rows.map(({ pid }) => [pid, existsSync(`/proc/${pid}`) ? cpuOf(pid) : 0]));
    },
    // Statistics reach pg_stat_* within a second or so of a commit; callers wait before reading.
    rowsInserted: async () => Number((await one<{ n: string }>(`SELECT coalesce(sum(n_tup_ins), 0) AS n FROM pg_stat_user_tables`)).n),
    bytesOnDisk: async () => Number((await one<{ n: string }>(`SELECT coalesce(sum(pg_total_relation_size(relid)), 0) AS n FROM pg_stat_user_tables`)).n),
    storedRequests: async () => Number((await one<{ n: string }>(`SELECT count(*) AS n FROM "Request"`)).n),
    walBytes: async () => BigInt((await one<{ n: string }>(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS n`)).n),
    close: () => client.end(),
  };
}

/** CPU seconds used by backends between two samples; a backend that appeared in between counts whole. */
function backendCpuUsed(before: Map<number, number>, after: Map<number, number>): number {
  let used = 0;
  for (const [pid, seconds] of after) used += seconds - (before.get(pid) ?? 0);
  return used;
}

/** Redis's own counters (server-wide: every user of this Redis adds to them). */
async function redisCounters(redis: Redis): Promise<{ commands: number; cpuSeconds: number }> {
  const info = await redis.info();
  const field = (name: string) => Number(new RegExp(`^${name}:(\\S+)`, "m").exec(info)?.[1] ?? 0);
  return { commands: field("total_commands_processed"), cpuSeconds: field("used_cpu_user") + field("used_cpu_sys") };
}

async function drained(group: BalancedInstances, count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    for (;;) {
      const health = (await (await fetch(`${group.instance(index).url}/api/health`)).json()) as { logQueue: { queued: number; spooled: number } };
      if (health.logQueue.queued === 0 && health.logQueue.spooled === 0) break;
      await sleep(100);
    }
  }
}

/** The postgres processes of this machine (for the note on what else runs), by pid. */
function postgresPids(): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "postgres";
      } catch {
        return false;
      }
    })
    .map(Number);
}

// ---- one configuration ---------------------------------------------------------------------------

interface ConfigurationResult {
  instances: number;
  saturated: { callsPerSecond: number; p50Ms: number; p95Ms: number; calls: number; byInstance: Record<string, number> };
  openLoop: { rate: number; p50Ms: number; p95Ms: number };
  perCall: {
    instancesCpuMs: number;
    haproxyCpuMs: number;
    postgresBackendsCpuMs: number;
    loadGeneratorCpuMs: number;
    mockCpuMs: number;
    rowsInserted: number;
    walBytesServerWide: number;
    redisCommandsServerWide: number;
    redisCpuMsServerWide: number;
  };
  bytesPerStoredCall: number;
  logging: { answered: number; stored: number; errors: number };
}

async function measure(instances: number, mock: { url: string; pid: number }, redis: Redis, run: string): Promise<ConfigurationResult> {
  const database = await createPostgresTestDatabase();
  const group = await startBalancedInstances({ count: instances, databaseUrl: database.url, openaiUpstreamUrl: mock.url, redisUrl: REDIS_URL, env: BENCH_APP_ENV });
  const probe = await probeDatabase(database.url);
  const load: Load = { pool: new Pool(group.url, { connections: 256, pipelining: 1 }), apiKey: group.apiKey, run, sent: 0, answered: 0, errors: 0, byInstance: {} };
  try {
    const emptyBytes = await probe.bytesOnDisk();
    await saturated(load, WARM_UP_SECONDS);
    await drained(group, instances);
    await sleep(1500);

    const appPids = Array.from({ length: instances }, (_, index) => group.instance(index).pid);
    const cpu = () => ({
      apps: appPids.reduce((sum, pid) => sum + cpuOf(pid), 0),
      haproxy: cpuOf(group.balancer.pid),
      mock: cpuOf(mock.pid),
      self: process.cpuUsage(),
    });
    const before = { cpu: cpu(), backends: await probe.backendCpu(), rows: await probe.rowsInserted(), wal: await probe.walBytes(), redis: await redisCounters(redis) };
    const byInstanceBefore = { ...load.byInstance };
    const sat = await saturated(load, SECONDS);
    await drained(group, instances);
    await sleep(1500); // statistics catch up
    const after = { cpu: cpu(), backends: await probe.backendCpu(), rows: await probe.rowsInserted(), wal: await probe.walBytes(), redis: await redisCounters(redis) };
    const perCallMs = (seconds: number) => round((seconds * 1000) / sat.calls, 3);
    const selfSeconds = (after.cpu.self.user + after.cpu.self.system - before.cpu.self.user - before.cpu.self.system) / 1e6;

    const open = await openLoop(load, RATE, OPEN_SECONDS);
    await drained(group, instances);
    const stored = await probe.storedRequests();

    return {
      instances,
      saturated: {
        callsPerSecond: Math.round(sat.callsPerSecond),
        p50Ms: round(percentile(sat.latencies, 50)),
        p95Ms: round(percentile(sat.latencies, 95)),
        calls: sat.calls,
        byInstance: Object.fromEntries(Object.entries(load.byInstance).map(([name, count]) => [name, count - (byInstanceBefore[name] ?? 0)])),
      },
      openLoop: { rate: RATE, p50Ms: round(percentile(open, 50)), p95Ms: round(percentile(open, 95)) },
      perCall: {
        instancesCpuMs: perCallMs(after.cpu.apps - before.cpu.apps),
        haproxyCpuMs: perCallMs(after.cpu.haproxy - before.cpu.haproxy),
        postgresBackendsCpuMs: perCallMs(backendCpuUsed(before.backends, after.backends)),
        loadGeneratorCpuMs: perCallMs(selfSeconds),
        mockCpuMs: perCallMs(after.cpu.mock - before.cpu.mock),
        rowsInserted: round((after.rows - before.rows) / sat.calls, 2),
        walBytesServerWide: Math.round(Number(after.wal - before.wal) / sat.calls),
        redisCommandsServerWide: round((after.redis.commands - before.redis.commands) / sat.calls, 2),
        redisCpuMsServerWide: perCallMs(after.redis.cpuSeconds - before.redis.cpuSeconds),
      },
      bytesPerStoredCall: Math.round(((await probe.bytesOnDisk()) - emptyBytes) / stored),
      logging: { answered: load.answered, stored, errors: load.errors },
    };
  } finally {
    await load.pool.close();
    await probe.close();
    await group.stop();
    await database.cleanup();
  }
}

// ---- the run -------------------------------------------------------------------------------------

async function main() {
  const load1 = loadavg()[0]!;
  const mock = await spawnListening("scripts/mock-provider.ts", ["--port", "0", "--latency-ms", UPSTREAM_LATENCY_MS]);
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const results: ConfigurationResult[] = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      for (const instances of [1, 2]) {
        console.log(`round ${r + 1}: ${instances} instance(s) behind HAProxy…`);
        results.push(await measure(instances, mock, redis, `bench-scale-${Date.now()}`));
      }
    }
  } finally {
    redis.disconnect();
    await mock.stop();
  }

  const lost = results.filter((result) => result.logging.stored !== result.logging.answered);
  const path = writeResult("scale", {
    config: { seconds: SECONDS, connections: CONNECTIONS, rate: RATE, openSeconds: OPEN_SECONDS, rounds: ROUNDS, upstreamLatencyMs: Number(UPSTREAM_LATENCY_MS), loadAverageAtStart: round(load1) },
    results,
  });
  console.table(
    Object.fromEntries(
      results.map((result, i) => [
        `${result.instances} instance${result.instances > 1 ? "s" : ""} (round ${Math.floor(i / 2) + 1})`,
        {
          "calls/s": result.saturated.callsPerSecond,
          "p50 ms": result.saturated.p50Ms,
          "p95 ms": result.saturated.p95Ms,
          [`p50 @${RATE}/s`]: result.openLoop.p50Ms,
          [`p95 @${RATE}/s`]: result.openLoop.p95Ms,
          "app CPU ms": result.perCall.instancesCpuMs,
          "haproxy ms": result.perCall.haproxyCpuMs,
          "PG CPU ms": result.perCall.postgresBackendsCpuMs,
          "rows": result.perCall.rowsInserted,
          "bytes/call": result.bytesPerStoredCall,
        },
      ]),
    ),
  );
  for (const result of results) {
    console.log(
      `${result.instances} instance(s): spread ${JSON.stringify(result.saturated.byInstance)}; per call also: load generator ${result.perCall.loadGeneratorCpuMs} ms, mock ${result.perCall.mockCpuMs} ms CPU; server-wide WAL ${result.perCall.walBytesServerWide} B, Redis ${result.perCall.redisCommandsServerWide} commands / ${result.perCall.redisCpuMsServerWide} ms CPU; ${result.logging.stored} of ${result.logging.answered} answered calls stored, ${result.logging.errors} errors`,
    );
  }
  console.log(
    `2 cores shared by the load generator, the mock, HAProxy, PostgreSQL, Redis and the instances (load average ${round(load1)} at the start, ${postgresPids().length} postgres processes on the machine): ` +
      `one vs two instances here measures contention more than scaling. The per-call CPU and bytes are what a capacity plan carries over.`,
  );
  console.log(`wrote ${path}`);

  if (values["skip-partitioned"]) console.log("partitioned-ingest: skipped (--skip-partitioned)");
  else if (!existsSync(`${projectRoot}/${PARTITIONED_INGEST}`)) console.log(`partitioned-ingest: ${PARTITIONED_INGEST} is missing, nothing to compare yet`);
  else {
    console.log(`\npartitioned vs unpartitioned ingest (${PARTITIONED_INGEST}):`);
    const run = spawnSync(process.execPath, ["--import", "tsx", PARTITIONED_INGEST], { cwd: projectRoot, stdio: "inherit", timeout: 10 * 60_000 });
    if (run.status !== 0) throw new Error(`${PARTITIONED_INGEST} failed (status ${run.status})`);
  }
  if (lost.length > 0) throw new Error(`answered calls not stored: ${lost.map((result) => `${result.instances} instance(s): ${result.logging.stored} of ${result.logging.answered}`).join("; ")}`);
}

await main();
