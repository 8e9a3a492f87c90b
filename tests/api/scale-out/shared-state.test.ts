import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startMockProvider } from "../../mock-provider/server";
import { startApp, type RunningApp } from "../../helpers/app-server";
import { startCuttableLink } from "../../helpers/cuttable-link";
import { signIn } from "../../helpers/dashboard-login";
import { openEventStream } from "../../helpers/event-stream";
import { createKeyWithCli, runKeysCli } from "../../helpers/keys-cli";
import { deleteRedisPrefix, describeWithRedisAndPostgres, redisEnv, testRedis, uniqueRedisPrefix } from "../../helpers/redis";
import { createPostgresTestDatabase, type TestDatabase } from "../../helpers/test-databases";
import { PROVIDER_KEY } from "../../helpers/test-stack";

// Two instances on one PostgreSQL database and one Redis, as behind a load balancer: a user must
// not be able to tell which one answered. Per API key: bursts of 20, then one request every 4 s
// (slow enough that no token comes back during a test's burst on a busy machine).
const RATE_LIMIT = { perSecond: 0.25, burst: 20 };
const ADMIN = { email: "admin@scale-out.test", password: "scale-out-admin-password" };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One chat completion through `app`'s proxy with `key`, as the OpenAI SDK sends it; the status. */
async function proxiedCall(app: RunningApp, key: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${app.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "helicone-auth": `Bearer ${key}`, authorization: `Bearer ${PROVIDER_KEY}`, "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
    // A call that hangs fails the test rather than the suite's timeout.
    signal: AbortSignal.timeout(10_000),
  });
}

async function statusOf(response: Promise<Response>): Promise<number> {
  const answer = await response;
  await answer.arrayBuffer();
  return answer.status;
}

/** Polls until `app` refuses `key` (401); the milliseconds that took from `since`, or null if not within 15 s. */
async function refusedAfterMs(app: RunningApp, key: string, since: number): Promise<number | null> {
  while (Date.now() - since < 15_000) {
    if ((await statusOf(proxiedCall(app, key))) === 401) return Date.now() - since;
    await sleep(100);
  }
  return null;
}

describeWithRedisAndPostgres("several instances share their state through Redis", () => {
  let database: TestDatabase;
  let mock: Awaited<ReturnType<typeof startMockProvider>>;
  let a: RunningApp;
  let b: RunningApp;
  const prefix = uniqueRedisPrefix();
  const env = {
    ...redisEnv(prefix),
    RATE_LIMIT_PER_SECOND: String(RATE_LIMIT.perSecond),
    RATE_LIMIT_BURST: String(RATE_LIMIT.burst),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  };
  const freshKey = () => createKeyWithCli(database.url, ["--name", `scale-out ${randomUUID()}`]);

  beforeAll(async () => {
    database = await createPostgresTestDatabase();
    mock = await startMockProvider();
    // One after the other, as an orchestrator rolls instances out: the first start creates the admin.
    a = await startApp({ databaseUrl: database.url, openaiUpstreamUrl: mock.url, env });
    b = await startApp({ databaseUrl: database.url, openaiUpstreamUrl: mock.url, env });
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await mock?.close();
    await database?.cleanup();
    await deleteRedisPrefix(prefix);
  });

  it("each instance says at start that it shares through Redis, and that logins need one AUTH_SECRET everywhere", () => {
    for (const app of [a, b]) {
      expect(app.output()).toMatch(/Redis: 127\.0\.0\.1:6379\/0 \(rate limits, key revocations, sign-in failures and live events shared/);
      expect(app.output()).toMatch(/AUTH_SECRET is not set, but REDIS_URL is .* set one AUTH_SECRET/);
    }
  });

  it("a key's rate limit is one budget: a burst spread over both instances admits what one bucket admits, the rest get 429 with Retry-After", async () => {
    const { key } = await freshKey();
    const startedAt = performance.now();
    const answers = await Promise.all(Array.from({ length: 3 * RATE_LIMIT.burst }, (_, i) => proxiedCall(i % 2 === 0 ? a : b, key)));
    const elapsedSeconds = (performance.now() - startedAt) / 1000;
    const admitted = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(admitted.length + refused.length).toBe(answers.length);

    // One bucket admits its burst plus what refilled meanwhile; one per instance would admit twice the burst.
    const oneBucket = RATE_LIMIT.burst + Math.floor(elapsedSeconds * RATE_LIMIT.perSecond);
    expect(admitted.length).toBeGreaterThanOrEqual(RATE_LIMIT.burst);
    expect(admitted.length).toBeLessThanOrEqual(1.1 * oneBucket);
    // Both instances refused some: neither kept a budget of its own.
    for (const app of [a, b]) expect(refused.some((answer) => answer.url.startsWith(app.url))).toBe(true);
    for (const answer of refused) {
      expect(Number(answer.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe("rate_limit_exceeded");
    }
  });

  it("a login made on one instance works on the other", async () => {
    const cookie = await signIn(a.url, ADMIN.email, ADMIN.password);
    expect(cookie).not.toBeNull();
    const onB = await fetch(`${b.url}/api/v1/requests?limit=1`, { headers: { cookie: cookie! } });
    expect(onB.status).toBe(200);
  });

  it("a key revoked in the dashboard of one instance is refused by the other within 5 s, told through Redis", async () => {
    const { key, id } = await freshKey();
    // Both instances have checked the key (and keep it cached).
    expect(await statusOf(proxiedCall(a, key))).toBe(200);
    expect(await statusOf(proxiedCall(b, key))).toBe(200);
    const revocations = await listenToRevocations(prefix);
    try {
      const cookie = (await signIn(a.url, ADMIN.email, ADMIN.password))!;
      const revoked = await fetch(`${a.url}/api/v1/keys/${id}`, { method: "DELETE", headers: { cookie, origin: a.url } });
      expect(revoked.status).toBe(204);
      const revokedAt = Date.now();
      expect(await revocations.heard()).toBe(true);
      expect(await refusedAfterMs(b, key, revokedAt)).toBeLessThan(5_000);
      expect(await statusOf(proxiedCall(a, key))).toBe(401);
    } finally {
      await revocations.close();
    }
  });

  it("`npm run keys -- revoke` with REDIS_URL tells every running instance: the key is refused everywhere within 5 s", async () => {
    const { key, id } = await freshKey();
    expect(await statusOf(proxiedCall(a, key))).toBe(200);
    expect(await statusOf(proxiedCall(b, key))).toBe(200);
    const revocations = await listenToRevocations(prefix);
    try {
      const result = await runKeysCli(database.url, ["revoke", id], redisEnv(prefix));
      expect(result.code).toBe(0);
      expect(result.stderr).not.toMatch(/could not tell the other instances/);
      const revokedAt = Date.now();
      expect(await revocations.heard()).toBe(true);
      for (const app of [a, b]) expect(await refusedAfterMs(app, key, revokedAt)).toBeLessThan(5_000);
    } finally {
      await revocations.close();
    }
  });

  it("a live viewer on one instance hears the requests the other one stores, the trace's and the organization's", async () => {
    const { key } = await freshKey();
    const traceId = `scale-${randomUUID()}`;
    const headers = { authorization: `Bearer ${key}` };
    const traceStream = await openEventStream(`${b.url}/api/v1/traces/${traceId}/events`, headers);
    const organizationStream = await openEventStream(`${b.url}/api/v1/requests/events`, headers);
    try {
      expect((await traceStream.waitFor((event) => event.event === "ready")).data).toEqual({ requestCount: 0 });
      const answer = await proxiedCall(a, key, { "helicone-node-id": `${traceId}:plan` });
      expect(answer.status).toBe(200);
      const id = answer.headers.get("helicone-id");
      for (const stream of [traceStream, organizationStream]) {
        const event = await stream.waitFor((e) => e.event === "request" && e.data.id === id, 10_000);
        expect(event.data).toMatchObject({ id, traceId, nodeId: `${traceId}:plan`, source: "proxy", status: 200 });
      }
      // Stored once, told once.
      expect(traceStream.events.filter((e) => e.event === "request")).toHaveLength(1);
    } finally {
      traceStream.close();
      organizationStream.close();
    }
  });

  it("sign-in failures count across instances: 5 on each close the address on both", async () => {
    for (let i = 0; i < 5; i++) {
      expect(await signIn(a.url, ADMIN.email, `wrong on a ${i}`)).toBeNull();
      expect(await signIn(b.url, ADMIN.email, `wrong on b ${i}`)).toBeNull();
    }
    expect(await signIn(a.url, ADMIN.email, ADMIN.password)).toBeNull();
    expect(await signIn(b.url, ADMIN.email, ADMIN.password)).toBeNull();
    // Counted per address: another address is not held back.
    expect(await signIn(b.url, "nobody@scale-out.test", "x")).toBeNull();
    const redis = testRedis();
    try {
      // Kept hashed: Redis does not hold the address itself.
      expect(await redis.keys(`${prefix}*${ADMIN.email}*`)).toEqual([]);
      expect(await redis.zcard(`${prefix}sign-in-failures:${createHash("sha256").update(ADMIN.email).digest("hex")}`)).toBe(10);
    } finally {
      redis.disconnect();
    }
  });
});

describeWithRedisAndPostgres("an instance whose Redis goes away fails open", () => {
  let database: TestDatabase;
  let mock: Awaited<ReturnType<typeof startMockProvider>>;
  let link: Awaited<ReturnType<typeof startCuttableLink>>;
  let app: RunningApp;
  const prefix = uniqueRedisPrefix();

  beforeAll(async () => {
    database = await createPostgresTestDatabase();
    mock = await startMockProvider();
    link = await startCuttableLink("127.0.0.1", 6379);
    link.cut();
    app = await startApp({
      databaseUrl: database.url,
      openaiUpstreamUrl: mock.url,
      env: { ...redisEnv(prefix, `redis://127.0.0.1:${link.port}/0`), RATE_LIMIT_PER_SECOND: String(RATE_LIMIT.perSecond), RATE_LIMIT_BURST: String(RATE_LIMIT.burst) },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await link?.close();
    await mock?.close();
    await database?.cleanup();
    await deleteRedisPrefix(prefix);
  });

  const redisReachable = async () => ((await (await fetch(`${app.url}/api/health`)).json()) as { redis: { reachable: boolean } }).redis.reachable;
  const bucketInRedis = async (key: string) => {
    const redis = testRedis();
    try {
      return (await redis.exists(`${prefix}rate:${createHash("sha256").update(key).digest("hex")}`)) === 1;
    } finally {
      redis.disconnect();
    }
  };

  it("starts and answers without Redis, shares once it answers, and answers again when it goes away mid-run", async () => {
    expect(app.output()).toMatch(/Redis: 127\.0\.0\.1:\d+\/0 does not answer yet/);
    const { key } = await createKeyWithCli(database.url, ["--name", "fail-open"]);
    const calls = async (count: number) => Promise.all(Array.from({ length: count }, () => statusOf(proxiedCall(app, key))));

    expect(await calls(5)).toEqual([200, 200, 200, 200, 200]);
    expect(await redisReachable()).toBe(false);
    expect(await bucketInRedis(key)).toBe(false); // counted by this instance alone meanwhile

    link.restore();
    const deadline = Date.now() + 10_000;
    while (!(await redisReachable()) && Date.now() < deadline) await sleep(100);
    expect(await redisReachable()).toBe(true);
    expect(await calls(1)).toEqual([200]);
    expect(await bucketInRedis(key)).toBe(true);

    link.cut();
    expect(await calls(5)).toEqual([200, 200, 200, 200, 200]);
    // Past the local bucket's burst, the limit still holds: 429, not a failure.
    const statuses = await calls(2 * RATE_LIMIT.burst);
    expect(new Set(statuses)).toEqual(new Set([200, 429]));
  });
});

/** A client subscribed to the instances' revocation channel: heard() says whether a revocation was published. */
async function listenToRevocations(prefix: string): Promise<{ heard(): Promise<boolean>; close(): Promise<void> }> {
  const subscriber = testRedis();
  let heard = false;
  subscriber.on("message", () => (heard = true));
  await subscriber.subscribe(`${prefix}api-keys:revoked`);
  return {
    async heard() {
      for (let i = 0; i < 50 && !heard; i++) await sleep(20);
      return heard;
    },
    close: async () => void subscriber.disconnect(),
  };
}
