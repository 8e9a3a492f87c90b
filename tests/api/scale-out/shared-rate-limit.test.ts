import { afterAll, beforeAll, expect, it } from "vitest";
import { KeyRateLimit } from "../../../lib/auth/token-bucket";
import { reloadConfig } from "../../../lib/shared/config";
import { closeRedis, sharedRedisWhenReady } from "../../../lib/shared/redis";
import { deleteRedisPrefix, describeWithRedis, redisEnv, uniqueRedisPrefix } from "../../helpers/redis";

// The bucket kept in Redis, as every instance takes from it (here: two limiters on one Redis, the
// way two processes' would be): it admits what one token bucket admits, and its Retry-After is
// one a waiting client can trust.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithRedis("the shared token bucket", () => {
  const prefix = uniqueRedisPrefix();
  const saved = { ...process.env };

  beforeAll(async () => {
    Object.assign(process.env, redisEnv(prefix));
    reloadConfig();
    expect(await sharedRedisWhenReady(2_000)).not.toBeNull();
  });
  afterAll(async () => {
    await closeRedis();
    for (const name of Object.keys(redisEnv(prefix))) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    reloadConfig();
    await deleteRedisPrefix(prefix);
  });

  it("a burst taken at once through two limiters admits the burst, plus what refilled, and no more", async () => {
    const perSecond = 2;
    const burst = 30;
    const instances = [new KeyRateLimit(perSecond, burst), new KeyRateLimit(perSecond, burst)];
    const startedAt = performance.now();
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => instances[i % 2]!.take("burst-key")));
    const elapsedSeconds = (performance.now() - startedAt) / 1000;
    const admitted = answers.filter((wait) => wait === null).length;
    expect(admitted).toBeGreaterThanOrEqual(burst);
    expect(admitted).toBeLessThanOrEqual(burst + Math.ceil(elapsedSeconds * perSecond));
    // Redis' clock refills: a token every 0.5 s, so a refused call is told to wait 1 s.
    expect(new Set(answers.filter((wait) => wait !== null))).toEqual(new Set([1]));
  });

  it("a client that waits the Retry-After it was given is admitted; keys do not share a bucket", async () => {
    const limit = new KeyRateLimit(0.5, 2);
    expect([await limit.take("slow-key"), await limit.take("slow-key")]).toEqual([null, null]);
    const wait = await limit.take("slow-key");
    expect(wait).toBe(2);
    expect(await limit.take("another-key")).toBeNull();
    await sleep(wait! * 1000);
    expect(await limit.take("slow-key")).toBeNull();
  });
});
