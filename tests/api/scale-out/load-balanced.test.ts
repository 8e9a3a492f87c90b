import { setTimeout as sleep } from "node:timers/promises";
import OpenAI from "openai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startMockProvider } from "../../mock-provider/server";
import { startCuttableLink } from "../../helpers/cuttable-link";
import { queryDatabase } from "../../helpers/database-contents";
import { createKeyWithCli } from "../../helpers/keys-cli";
import { INSTANCE_HEADER, describeLoadBalanced, localRedisUrl, startBalancedInstances, type BalancedInstances } from "../../helpers/load-balancer";
import { uniqueTag } from "../../helpers/logged-requests";
import { createPostgresTestDatabase, type TestDatabase } from "../../helpers/test-databases";
import { PROVIDER_KEY } from "../../helpers/test-stack";
import type { TraceResponse } from "../../../lib/contracts/trace";

// Issue 15's proof of scale-out: two instances of the real server on one PostgreSQL database and
// one Redis, behind a real load balancer (HAProxy, tests/helpers/load-balancer.ts), driven by
// the real OpenAI SDK the way a user's application drives them.

const REDIS_URL = localRedisUrl(14);
const CONCURRENCY = 48;
// The load is far above the default per-key rate (an average of 2,000 a second is the point of
// scaling out); the suite about limits below sets its own.
const UNLIMITED = { RATE_LIMIT_PER_SECOND: "0", RATE_LIMIT_BURST: "1" };

interface Health {
  status: string;
  logQueue: { queued: number; spooled: number; written: number; dropped: number };
}

async function health(url: string): Promise<Health> {
  return (await fetch(`${url}/api/health`)).json() as Promise<Health>;
}

/** Waits until the instance has nothing left in memory or in its spool, and returns its health. */
async function drained(url: string, timeoutMs = 60_000): Promise<Health> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await health(url);
    if (now.logQueue.queued === 0 && now.logQueue.spooled === 0) return now;
    if (Date.now() > deadline) throw new Error(`${url} still has logs waiting after ${timeoutMs} ms: ${JSON.stringify(now.logQueue)}`);
    await sleep(100);
  }
}

// ---- traces sent through the balancer -----------------------------------------------------------

/** One proxied call of the plan: a node of a trace, tagged as the seed describes. */
interface PlannedCall {
  traceId: string;
  nodeId: string;
  sessionId: string;
  stream: boolean;
  question: string;
}

interface PlannedTrace {
  traceId: string;
  sessionId: string;
  /** node id → parent node id (null for the root) */
  parents: Map<string, string | null>;
  /** levels of the tree: a lone root is 1 */
  depth: number;
}

/** A small deterministic PRNG (mulberry32), so a failing run can be told apart from the next by its seed. */
function randomFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `traces` trees of `nodes` nodes each (every node below a random earlier one), as Helicone node
 * ids `root:n3:n7`; every third call streams. The calls come back shuffled across all traces, so
 * the nodes of one trace reach the balancer in no particular order and land on both instances.
 */
function planTraces(tag: string, traces: number, nodes: number, seed: number): { traces: PlannedTrace[]; calls: PlannedCall[] } {
  const random = randomFrom(seed);
  const planned: PlannedTrace[] = [];
  const calls: PlannedCall[] = [];
  for (let t = 0; t < traces; t++) {
    const traceId = `${tag}-${t}`;
    const sessionId = `${tag}-session-${t % 50}`;
    const paths = [traceId];
    const depths = [1];
    const parents = new Map<string, string | null>([[traceId, null]]);
    for (let n = 1; n < nodes; n++) {
      const parent = Math.floor(random() * n);
      paths.push(`${paths[parent]}:n${n}`);
      depths.push(depths[parent]! + 1);
      parents.set(paths[n]!, paths[parent]!);
    }
    planned.push({ traceId, sessionId, parents, depth: Math.max(...depths) });
    paths.forEach((nodeId, n) => calls.push({ traceId, nodeId, sessionId, stream: (t + n) % 3 === 0, question: `node ${n} of trace ${t}` }));
  }
  for (let i = calls.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [calls[i], calls[j]] = [calls[j]!, calls[i]!];
  }
  return { traces: planned, calls };
}

interface CallOutcome {
  call: PlannedCall;
  /** the instance that answered (the balancer's response header); null when no answer came */
  instance: string | null;
  error: string | null;
  startedAt: number;
  endedAt: number;
}

/** One call with the OpenAI SDK; its answer must be the mock's answer to its own question. */
async function makeCall(client: OpenAI, call: PlannedCall): Promise<CallOutcome> {
  const startedAt = performance.now();
  const headers = { "Helicone-Node-Id": call.nodeId, "Helicone-Session-Id": call.sessionId };
  const messages = [{ role: "user" as const, content: call.question }];
  let answer = "";
  let instance: string | null = null;
  try {
    if (call.stream) {
      const { data, response } = await client.chat.completions
        .create({ model: "gpt-4o-mini", messages, stream: true, stream_options: { include_usage: true } }, { headers })
        .withResponse();
      instance = response.headers.get(INSTANCE_HEADER);
      for await (const chunk of data) answer += chunk.choices[0]?.delta?.content ?? "";
    } else {
      const { data, response } = await client.chat.completions.create({ model: "gpt-4o-mini", messages }, { headers }).withResponse();
      instance = response.headers.get(INSTANCE_HEADER);
      answer = data.choices[0]?.message.content ?? "";
    }
    const error = answer.includes(`Mock answer to: ${call.question}`) ? null : `unexpected answer: ${answer.slice(0, 100)}`;
    return { call, instance, error, startedAt, endedAt: performance.now() };
  } catch (error) {
    return { call, instance, error: error instanceof Error ? error.message : String(error), startedAt, endedAt: performance.now() };
  }
}

/** A running load: `concurrency` workers take the calls in order; `inFlight` are those started and not settled. */
function startLoad(client: OpenAI, calls: readonly PlannedCall[], concurrency: number) {
  const outcomes: CallOutcome[] = [];
  const inFlight = new Set<PlannedCall>();
  let next = 0;
  const done = Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls.length) {
        const call = calls[next++]!;
        inFlight.add(call);
        outcomes.push(await makeCall(client, call));
        inFlight.delete(call);
      }
    }),
  ).then(() => outcomes);
  return { outcomes, inFlight, done };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/**
 * Stored requests per node id for the traces whose ids start with `tag`, read straight from
 * PostgreSQL. Complete once every instance is drained: an instance counts a log as queued until
 * the transaction that stores it has committed.
 */
async function storedPerNode(databaseUrl: string, tag: string): Promise<Map<string, number>> {
  const rows = await queryDatabase<{ nodeId: string; n: number }>(
    databaseUrl,
    `SELECT "nodeId", count(*)::int AS n FROM "Request" WHERE "traceId" LIKE $1 GROUP BY "nodeId"`,
    [`${tag}-%`],
  );
  return new Map(rows.map((row) => [row.nodeId, row.n]));
}

/** What the trace API must say for a planned trace: the tree sent, each node stored once, as on one instance. */
function expectTraceAsSent(document: TraceResponse, trace: PlannedTrace, streamed: ReadonlySet<string>): void {
  const nodes = document.nodes;
  expect(new Map(nodes.map((node) => [node.id, node.parentId])), trace.traceId).toEqual(trace.parents);
  for (const node of nodes) {
    expect(node.virtual, node.id).toBe(false);
    expect(node.requests, node.id).toHaveLength(1);
    expect(node.requests[0], node.id).toMatchObject({ status: 200, stream: streamed.has(node.id), sessionId: trace.sessionId, model: "gpt-4o-mini" });
  }
  expect(document.metrics).toMatchObject({ nodeCount: trace.parents.size, maxDepth: trace.depth, successRate: 1 });
}

await describeLoadBalanced("scale-out: two instances behind HAProxy on one PostgreSQL and one Redis", REDIS_URL, () => {
  let database: TestDatabase;
  let mock: Awaited<ReturnType<typeof startMockProvider>>;
  // The second instance reaches PostgreSQL through a link the test can cut: its own database outage.
  let link: Awaited<ReturnType<typeof startCuttableLink>>;
  let group: BalancedInstances;
  const client = (maxRetries: number) =>
    new OpenAI({ apiKey: PROVIDER_KEY, baseURL: `${group.url}/v1`, defaultHeaders: { "Helicone-Auth": `Bearer ${group.apiKey}` }, maxRetries, timeout: 60_000 });

  beforeAll(async () => {
    database = await createPostgresTestDatabase();
    mock = await startMockProvider();
    link = await startCuttableLink("127.0.0.1", 5432);
    const viaLink = database.url.replace("@127.0.0.1:5432/", `@127.0.0.1:${link.port}/`);
    group = await startBalancedInstances({
      count: 2,
      databaseUrl: database.url,
      databaseUrlOf: (index) => (index === 1 ? viaLink : database.url),
      openaiUpstreamUrl: mock.url,
      redisUrl: REDIS_URL,
      env: UNLIMITED,
    });
  });
  afterAll(async () => {
    await group?.stop();
    await link?.close();
    await mock?.close();
    await database?.cleanup();
  });

  it("10,000 calls (500 traces of 20 nodes, a third streamed) through the balancer: every call answered, spread over both instances, logged exactly once, each trace built as sent", { timeout: 600_000 }, async () => {
    const tag = uniqueTag("spread");
    const seed = Date.now();
    const { traces, calls } = planTraces(tag, 500, 20, seed);
    const [before1, before2] = await Promise.all([health(group.instance(0).url), health(group.instance(1).url)]);

    const outcomes = await startLoad(client(0), calls, CONCURRENCY).done;

    // Every call answered, with its own answer (no retry: maxRetries 0).
    const failed = outcomes.filter((outcome) => outcome.error !== null);
    expect(failed.slice(0, 5).map((outcome) => `${outcome.call.nodeId}: ${outcome.error}`), `seed ${seed}`).toEqual([]);
    expect(outcomes).toHaveLength(10_000);

    // Spread: what the balancer says answered, and what each instance says it wrote.
    const answeredBy = countBy(outcomes, (outcome) => outcome.instance ?? "none");
    expect(Object.keys(answeredBy).sort()).toEqual(group.names);
    for (const name of group.names) expect(answeredBy[name], `${name} answered ${answeredBy[name]} of 10,000`).toBeGreaterThan(2_500);
    const [after1, after2] = await Promise.all([drained(group.instance(0).url), drained(group.instance(1).url)]);
    const written = [after1.logQueue.written - before1.logQueue.written, after2.logQueue.written - before2.logQueue.written];
    expect(written[0]! + written[1]!).toBe(10_000);
    expect(written).toEqual([answeredBy.app1, answeredBy.app2]);

    // Logged exactly once: one stored request per node id, read straight from the database once
    // both instances have nothing left to write.
    const stored = await storedPerNode(database.url, tag);
    expect(stored.size).toBe(10_000);
    expect([...stored].filter(([, count]) => count !== 1)).toEqual([]);

    // Traces whose nodes were answered by both instances, read through the balancer (either instance answers).
    const instancesOfTrace = new Map<string, Set<string>>();
    for (const outcome of outcomes) {
      const seen = instancesOfTrace.get(outcome.call.traceId) ?? new Set<string>();
      seen.add(outcome.instance!);
      instancesOfTrace.set(outcome.call.traceId, seen);
    }
    const split = traces.filter((trace) => instancesOfTrace.get(trace.traceId)!.size === 2);
    expect(split.length, "traces whose nodes landed on both instances").toBeGreaterThanOrEqual(490);
    const streamed = new Set(calls.filter((call) => call.stream).map((call) => call.nodeId));
    const pending = [...traces];
    const readBy: string[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let trace = pending.pop(); trace; trace = pending.pop()) {
          const response = await fetch(`${group.url}/api/v1/traces/${encodeURIComponent(trace.traceId)}`, { headers: { authorization: `Bearer ${group.apiKey}` } });
          expect(response.status, trace.traceId).toBe(200);
          readBy.push(response.headers.get(INSTANCE_HEADER)!);
          expectTraceAsSent((await response.json()) as TraceResponse, trace, streamed);
        }
      }),
    );
    expect(new Set(readBy).size).toBe(2);
  });

  it("one instance killed with SIGKILL mid-run while its database link is down: only calls in flight at the kill may fail, nothing answered is lost, and its spool is replayed when it starts again", { timeout: 600_000 }, async () => {
    const tag = uniqueTag("crash");
    const { calls } = planTraces(tag, 100, 20, Date.now());
    const killed = group.instance(1);
    // The SDK's own retries (2 by default) are part of what a user runs; the balancer retries too.
    const load = startLoad(client(2), calls, 32);

    while (load.outcomes.length < 400) await sleep(20);
    // The second instance loses PostgreSQL: it keeps answering and spools its logs to disk.
    link.cut();
    const cutAt = performance.now();
    let spooled = 0;
    while (spooled === 0) {
      expect(performance.now() - cutAt, "the cut instance spooled nothing within 30 s").toBeLessThan(30_000);
      spooled = (await health(killed.url)).logQueue.spooled;
      if (spooled === 0) await sleep(50);
    }
    const inFlightAtKill = new Set(load.inFlight);
    const answeredBeforeKill = load.outcomes.length;
    await killed.crash();
    const killedAt = performance.now();

    const outcomes = await load.done;
    expect(answeredBeforeKill, "the kill came mid-run").toBeLessThan(calls.length - 500);
    const failed = outcomes.filter((outcome) => outcome.error !== null);
    const failedOutsideTheKill = failed.filter((outcome) => !inFlightAtKill.has(outcome.call));
    expect(failedOutsideTheKill.map((outcome) => `${outcome.call.nodeId}: ${outcome.error}`)).toEqual([]);
    const afterTheKill = outcomes.filter((outcome) => outcome.startedAt > killedAt);
    expect(afterTheKill.length, "calls made after the kill").toBeGreaterThan(0);
    expect(afterTheKill.filter((outcome) => outcome.instance !== group.names[0]).map((outcome) => outcome.call.nodeId)).toEqual([]);
    console.log(`SIGKILL with ${inFlightAtKill.size} calls in flight (${spooled} logs spooled on disk); the client saw ${failed.length} of ${calls.length} fail`);

    // The database comes back and the killed instance starts again on its own spool: it replays it.
    link.restore();
    const restarted = await group.restart(1);
    expect(restarted.pid).not.toBe(killed.pid);
    const afterRestart = await drained(restarted.url);
    expect(afterRestart.logQueue.written).toBeGreaterThanOrEqual(spooled);
    await drained(group.instance(0).url);

    // Every call the client got an answer for is stored exactly once.
    const answered = outcomes.filter((outcome) => outcome.error === null);
    const stored = await storedPerNode(database.url, tag);
    const notOnce = answered.filter((outcome) => stored.get(outcome.call.nodeId) !== 1);
    const explain = (outcome: CallOutcome) =>
      `${outcome.call.nodeId}: answered by ${outcome.instance} ${Math.round(killedAt - outcome.endedAt)} ms before the kill, stored ${stored.get(outcome.call.nodeId) ?? 0} times`;
    expect(notOnce.map(explain)).toEqual([]);
  });
});

// ---- what instances must share, as a user sees it through the balancer ---------------------------

// One request every 4 s per key on average, bursts of 20: refilling cannot blur a burst's count.
const LIMITS = { RATE_LIMIT_PER_SECOND: "0.25", RATE_LIMIT_BURST: "20" };
const ADMIN = { email: `${uniqueTag("admin")}@scale.test`, password: "correct horse battery staple" };

interface SignInAttempt {
  /** the session cookie, or null when refused */
  session: string | null;
  instance: string | null;
  location: string | null;
}

/** next-auth's CSRF token and cookie, fetched once: sign-in attempts made with them then alternate between instances. */
async function csrf(url: string): Promise<{ token: string; cookie: string }> {
  const response = await fetch(`${url}/api/auth/csrf`);
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { token: csrfToken, cookie: response.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ") };
}

/** One sign-in with the form's credentials callback, as the browser posts it. */
async function signInAttempt(url: string, token: { token: string; cookie: string }, email: string, password: string): Promise<SignInAttempt> {
  const response = await fetch(`${url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: token.cookie },
    body: new URLSearchParams({ csrfToken: token.token, email, password, callbackUrl: `${url}/requests` }),
  });
  await response.arrayBuffer();
  const session = response.headers.getSetCookie().find((c) => c.startsWith("authjs.session-token="));
  return { session: session ? session.split(";")[0]! : null, instance: response.headers.get(INSTANCE_HEADER), location: response.headers.get("location") };
}

/** A proxied call with `key`: its status and the instance that answered. */
async function proxiedCall(url: string, key: string): Promise<{ status: number; instance: string | null; retryAfter: string | null }> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "helicone-auth": `Bearer ${key}`, authorization: `Bearer ${PROVIDER_KEY}` },
    body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
  });
  await response.arrayBuffer();
  return { status: response.status, instance: response.headers.get(INSTANCE_HEADER), retryAfter: response.headers.get("retry-after") };
}

await describeLoadBalanced("scale-out: limits shared by two instances behind HAProxy", REDIS_URL, () => {
  let database: TestDatabase;
  let mock: Awaited<ReturnType<typeof startMockProvider>>;
  let group: BalancedInstances;

  beforeAll(async () => {
    database = await createPostgresTestDatabase();
    mock = await startMockProvider();
    group = await startBalancedInstances({
      count: 2,
      databaseUrl: database.url,
      openaiUpstreamUrl: mock.url,
      redisUrl: REDIS_URL,
      env: { ...LIMITS, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
    });
  });
  afterAll(async () => {
    await group?.stop();
    await mock?.close();
    await database?.cleanup();
  });

  it("a burst through the balancer admits at most 1.1 × what one token bucket admits, though both instances answer it", async () => {
    const { key } = await createKeyWithCli(database.url, ["--name", `burst ${uniqueTag()}`]);
    const startedAt = performance.now();
    const answers = await Promise.all(Array.from({ length: 60 }, () => proxiedCall(group.url, key)));
    const seconds = (performance.now() - startedAt) / 1000;

    expect(new Set(answers.map((answer) => answer.instance))).toEqual(new Set(group.names));
    const admitted = answers.filter((answer) => answer.status === 200).length;
    const refused = answers.filter((answer) => answer.status === 429);
    expect(admitted + refused.length).toBe(60);
    for (const answer of refused) expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    const oneBucket = Number(LIMITS.RATE_LIMIT_BURST) + Number(LIMITS.RATE_LIMIT_PER_SECOND) * seconds;
    expect(admitted, `admitted ${admitted} of 60 in ${seconds.toFixed(1)} s; one bucket admits ${oneBucket.toFixed(1)}`).toBeLessThanOrEqual(Math.floor(1.1 * oneBucket));
  });

  it("a sign-in through the balancer works on every instance, and a key revoked through one instance's API stops working through the balancer within 5 s", async () => {
    const token = await csrf(group.url);
    const { session } = await signInAttempt(group.url, token, ADMIN.email, ADMIN.password);
    expect(session).not.toBeNull();
    for (const index of [0, 1]) {
      expect((await fetch(`${group.instance(index).url}/api/v1/keys`, { headers: { cookie: session! } })).status, group.names[index]).toBe(200);
    }

    const created = await fetch(`${group.url}/api/v1/keys`, {
      method: "POST",
      headers: { cookie: session!, origin: group.url, "content-type": "application/json" },
      body: JSON.stringify({ name: "to revoke" }),
    });
    expect(created.status).toBe(201);
    const { key, apiKey } = (await created.json()) as { key: string; apiKey: { id: string } };
    const working = [];
    for (let i = 0; i < 4; i++) working.push(await proxiedCall(group.url, key));
    expect(working.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(working.map((answer) => answer.instance))).toEqual(new Set(group.names));

    const first = group.instance(0).url;
    const revoked = await fetch(`${first}/api/v1/keys/${apiKey.id}`, { method: "DELETE", headers: { cookie: session!, origin: first } });
    expect(revoked.status).toBe(204);
    await sleep(5_000);
    const after = [];
    for (let i = 0; i < 6; i++) after.push(await proxiedCall(group.url, key));
    expect(after.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(new Set(after.map((answer) => answer.instance))).toEqual(new Set(group.names));
  });

  it("wrong passwords spread over both instances count together: after 10, the right one is refused on every instance", async () => {
    const token = await csrf(group.url);
    const failures: SignInAttempt[] = [];
    for (let i = 0; i < 10; i++) failures.push(await signInAttempt(group.url, token, ADMIN.email, `guess ${i}`));
    expect(failures.map((attempt) => attempt.session)).toEqual(Array(10).fill(null));
    const failedOn = countBy(failures, (attempt) => attempt.instance ?? "none");
    expect(Object.keys(failedOn).sort(), JSON.stringify(failedOn)).toEqual(group.names);

    const refusedOn = new Set<string | null>();
    for (let i = 0; i < 6 && refusedOn.size < 2; i++) {
      const attempt = await signInAttempt(group.url, token, ADMIN.email, ADMIN.password);
      expect(attempt.session, `the right password after 10 failures, answered by ${attempt.instance}`).toBeNull();
      expect(attempt.location).toMatch(/code=too_many_attempts/);
      refusedOn.add(attempt.instance);
    }
    expect(refusedOn).toEqual(new Set(group.names));
  });
});
