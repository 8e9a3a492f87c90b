/**
 * Live events across instances: Redis pub/sub against PostgreSQL LISTEN/NOTIFY, for the same
 * event batches (what lib/live/live-bus.ts's RedisLiveBus publishes: one message per stored batch
 * and organization, the events of lib/contracts/live.ts as JSON). The publisher is this process,
 * at a fixed rate (open loop); the subscribers are other processes, as other instances are, and
 * parse each message as the bus does. Measured: delivery latency from publish to parsed (p50,
 * p95, max, across all subscribers), the publisher's CPU per batch, and the server's (the
 * PostgreSQL backend that runs the NOTIFYs; the whole Redis server, which other programs on this
 * machine may use too). NOTIFY payloads must stay under 8000 bytes: a larger batch is cut into
 * several NOTIFYs sent in one statement (one transaction, delivered together at commit).
 *
 *   tsx tests/bench/live-fanout.ts [--batches 1000] [--rate 200] [--sizes 1,25,100] [--subscribers 2]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import Redis from "ioredis";
import pg from "pg";
import type { LiveRequestEvent } from "../../lib/contracts/live";
import { percentile, projectRoot, round, writeResult } from "./bench-processes";

const { values } = parseArgs({
  options: {
    batches: { type: "string", default: "1000" },
    rate: { type: "string", default: "200" },
    sizes: { type: "string", default: "1,25,100" },
    subscribers: { type: "string", default: "2" },
    // subscriber mode (a child of this bench)
    subscriber: { type: "string" },
    channel: { type: "string" },
  },
});

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379/0";
const POSTGRES_URL = `${process.env.TEST_POSTGRES_SERVER ?? "postgresql://postgres@127.0.0.1:5432"}/postgres`;
// PostgreSQL refuses a NOTIFY payload of 8000 bytes or more.
const NOTIFY_PAYLOAD_LIMIT = 7_999;

type Transport = "redis" | "postgres";

interface BatchMessage {
  origin: string;
  seq: number;
  /** epoch milliseconds (fractional) when published */
  sentAt: number;
  events: LiveRequestEvent[];
}

const nowEpochMs = () => performance.timeOrigin + performance.now();

// ---- subscriber (another instance) --------------------------------------------------------------

async function subscribe(transport: Transport, channel: string): Promise<void> {
  const latencies: number[] = [];
  const seen = new Set<number>();
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const onMessage = (text: string) => {
    const message = JSON.parse(text) as BatchMessage | { done: true };
    if ("done" in message) return finish();
    // A batch cut into several NOTIFYs counts once, when its last part arrives.
    if (message.seq < 0) return;
    latencies.push(nowEpochMs() - message.sentAt);
    seen.add(message.seq);
  };
  let close: () => Promise<void>;
  if (transport === "redis") {
    const redis = new Redis(REDIS_URL);
    redis.on("message", (_channel: string, text: string) => onMessage(text));
    await redis.subscribe(channel);
    close = async () => void redis.disconnect();
  } else {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    client.on("notification", (notification) => onMessage(notification.payload ?? ""));
    await client.query(`LISTEN "${channel}"`);
    close = () => client.end();
  }
  process.stdout.write("ready\n");
  await finished;
  await close();
  process.stdout.write(JSON.stringify({ latencies, batches: seen.size }) + "\n");
}

// ---- publisher (the instance that stored the batch) ---------------------------------------------

function sampleEvent(): LiveRequestEvent {
  const traceId = `trace-${randomBytes(8).toString("hex")}`;
  return {
    id: randomUUID(),
    traceId,
    nodeId: `${traceId}:plan:search-${randomBytes(3).toString("hex")}`,
    parentNodeId: `${traceId}:plan`,
    sessionId: `session-${randomBytes(6).toString("hex")}`,
    source: "proxy",
    provider: "openai",
    model: "gpt-4o-mini",
    status: 200,
    startTime: new Date().toISOString(),
    latencyMs: 812,
  };
}

/** The NOTIFY payloads of one batch: as few as fit under the limit, each a whole message. */
function notifyPayloads(message: BatchMessage): string[] {
  const whole = JSON.stringify(message);
  if (whole.length <= NOTIFY_PAYLOAD_LIMIT) return [whole];
  const half = Math.ceil(message.events.length / 2);
  // Only the last part is timed by the subscribers: the earlier parts go as seq -1.
  return [...notifyPayloads({ ...message, seq: -1, events: message.events.slice(0, half) }), ...notifyPayloads({ ...message, events: message.events.slice(half) })];
}

interface Publisher {
  publish(message: BatchMessage): Promise<{ bytes: number; messages: number }>;
  done(): Promise<void>;
  /** CPU seconds the server has used so far for this publisher (its backend; Redis: the whole server) */
  serverCpuSeconds(): Promise<number>;
  close(): Promise<void>;
}

async function publisherFor(transport: Transport, channel: string): Promise<Publisher> {
  if (transport === "redis") {
    const redis = new Redis(REDIS_URL);
    const cpu = async () => {
      const info = await redis.info("cpu");
      return Number(/used_cpu_sys:([\d.]+)/.exec(info)![1]) + Number(/used_cpu_user:([\d.]+)/.exec(info)![1]);
    };
    return {
      async publish(message) {
        const text = JSON.stringify(message);
        await redis.publish(channel, text);
        return { bytes: Buffer.byteLength(text), messages: 1 };
      },
      done: async () => void (await redis.publish(channel, JSON.stringify({ done: true }))),
      serverCpuSeconds: cpu,
      close: async () => void redis.disconnect(),
    };
  }
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  const backendPid = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
  const ticksPerSecond = 100;
  // One connection runs one statement at a time: later batches wait their turn, as they would on the app's connection.
  let previous: Promise<unknown> = Promise.resolve();
  return {
    async publish(message) {
      const payloads = notifyPayloads(message);
      const sent = previous.then(() => client.query(`SELECT ${payloads.map((_, i) => `pg_notify($1, $${i + 2})`).join(", ")}`, [channel, ...payloads]));
      previous = sent.catch(() => undefined);
      await sent;
      return { bytes: payloads.reduce((sum, payload) => sum + Buffer.byteLength(payload), 0), messages: payloads.length };
    },
    done: async () => void (await client.query("SELECT pg_notify($1, $2)", [channel, JSON.stringify({ done: true })])),
    async serverCpuSeconds() {
      // utime and stime of the backend, in clock ticks (fields 14 and 15 of /proc/<pid>/stat).
      const fields = readFileSync(`/proc/${backendPid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
    },
    close: () => client.end(),
  };
}

function startSubscriber(transport: Transport, channel: string): Promise<{ child: ChildProcess; result: Promise<{ latencies: number[]; batches: number }> }> {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/bench/live-fanout.ts", "--subscriber", transport, "--channel", channel], {
    cwd: projectRoot,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`subscriber did not start: ${output}`)), 30_000);
    child.stdout!.on("data", (chunk) => {
      output += chunk;
      if (!output.startsWith("ready\n")) return;
      clearTimeout(timer);
      const result = new Promise<{ latencies: number[]; batches: number }>((done, fail) => {
        child.once("exit", () => {
          const line = output.split("\n").find((text) => text.startsWith("{"));
          if (line) done(JSON.parse(line));
          else fail(new Error(`subscriber ended without a result: ${output}`));
        });
      });
      resolve({ child, result });
    });
  });
}

async function run(transport: Transport, eventsPerBatch: number, batches: number, rate: number, subscriberCount: number) {
  const channel = `live_fanout_bench_${randomBytes(4).toString("hex")}`;
  const subscribers = await Promise.all(Array.from({ length: subscriberCount }, () => startSubscriber(transport, channel)));
  const publisher = await publisherFor(transport, channel);
  const origin = randomUUID();
  const events = Array.from({ length: eventsPerBatch }, sampleEvent);
  let bytes = 0;
  let messages = 0;

  const serverCpuBefore = await publisher.serverCpuSeconds();
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const sends: Promise<void>[] = [];
  for (let seq = 0; seq < batches; seq++) {
    // Open loop: each batch leaves at its scheduled time, whether or not the last was acknowledged.
    const wait = startedAt + (seq * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sends.push(
      publisher.publish({ origin, seq, sentAt: nowEpochMs(), events }).then((sent) => {
        bytes += sent.bytes;
        messages += sent.messages;
      }),
    );
  }
  await Promise.all(sends);
  const cpu = process.cpuUsage(cpuBefore);
  const serverCpuSeconds = (await publisher.serverCpuSeconds()) - serverCpuBefore;
  await publisher.done();
  const results = await Promise.all(subscribers.map((subscriber) => subscriber.result));
  await publisher.close();

  const latencies = results.flatMap((result) => result.latencies).sort((a, b) => a - b);
  return {
    transport,
    eventsPerBatch,
    bytesPerBatch: Math.round(bytes / batches),
    messagesPerBatch: round(messages / batches, 2),
    delivered: results.map((result) => result.batches),
    latencyMs: { p50: round(percentile(latencies, 50), 2), p95: round(percentile(latencies, 95), 2), max: round(latencies.at(-1) ?? Number.NaN, 2) },
    publisherCpuUsPerBatch: Math.round((cpu.user + cpu.system) / batches),
    serverCpuUsPerBatch: Math.round((serverCpuSeconds * 1e6) / batches),
  };
}

async function main() {
  const batches = Number(values.batches);
  const rate = Number(values.rate);
  const subscriberCount = Number(values.subscribers);
  const sizes = values.sizes!.split(",").map(Number);
  console.log(`${batches} batches at ${rate}/s per case, ${subscriberCount} subscriber processes; NOTIFY payloads over ${NOTIFY_PAYLOAD_LIMIT} bytes are cut.`);
  const results = [];
  for (const size of sizes) {
    // Alternating, so that the machine's drift falls on both alike.
    for (const transport of ["redis", "postgres"] as const) results.push(await run(transport, size, batches, rate, subscriberCount));
  }
  console.log("\n| Transport | Events a batch | Bytes a batch | Messages a batch | Delivered | p50 ms | p95 ms | max ms | Publisher CPU µs a batch | Server CPU µs a batch |");
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const r of results) {
    console.log(
      `| ${r.transport} | ${r.eventsPerBatch} | ${r.bytesPerBatch} | ${r.messagesPerBatch} | ${r.delivered.join(" / ")} of ${batches} | ${r.latencyMs.p50} | ${r.latencyMs.p95} | ${r.latencyMs.max} | ${r.publisherCpuUsPerBatch} | ${r.serverCpuUsPerBatch} |`,
    );
  }
  console.log(`\nwritten to ${writeResult("live-fanout", { batches, rate, subscribers: subscriberCount, results })}`);
}

if (values.subscriber) await subscribe(values.subscriber as Transport, values.channel!);
else await main();
