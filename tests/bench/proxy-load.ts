/**
 * Load on a proxy target, as the proxy benches send it (proxy-overhead.ts, live.ts): open-loop
 * latency at a fixed rate with exponentially spaced (Poisson) arrivals, each timed from its
 * scheduled send time so that queueing shows up instead of being hidden by a closed loop;
 * throughput with 50 connections saturating the target; streaming time to first byte.
 */
import { Pool } from "undici";

export const CONNECTIONS = 50;

const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Summarize the plan in one line." }] });
const streamBody = JSON.stringify({
  model: "gpt-4o-mini",
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: "user", content: "Stream a short answer." }],
});

export interface Target {
  name: string;
  origin: string;
  headers: Record<string, string>;
  pool: Pool;
  /** successful answers, to check that the app logged every one it gave */
  answered: number;
}

export function proxyTarget(name: string, origin: string, headers: Record<string, string> = {}): Target {
  return { name, origin, headers, pool: new Pool(origin, { connections: 256, pipelining: 1 }), answered: 0 };
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
  target.answered++;
  return { firstByteAt: firstByteAt ?? performance.now() };
}

/** Open loop: requests leave at their scheduled times whether or not earlier ones returned. */
export async function openLoopLatencies(target: Target, rate: number, seconds: number): Promise<{ latencies: number[]; errors: number }> {
  const count = rate * seconds;
  const latencies: number[] = [];
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  let scheduled = performance.now() + 20;
  for (let i = 0; i < count; i++) {
    scheduled += (-Math.log(1 - Math.random()) / rate) * 1000;
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

export async function saturatedThroughput(target: Target, seconds: number): Promise<{ requestsPerSecond: number; errors: number }> {
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

export async function streamingFirstByte(target: Target, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const sentAt = performance.now();
    const { firstByteAt } = await timedRequest(target, streamBody, { "x-mock-completion-tokens": "8" });
    samples.push(firstByteAt - sentAt);
  }
  return samples;
}
