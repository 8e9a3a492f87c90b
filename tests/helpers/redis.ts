// Redis for tests of several instances: the local server every machine (CI included) runs.
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import Redis from "ioredis";
import { describe, it } from "vitest";
import { describePostgres } from "./test-databases";

// TEST_REDIS_URL points elsewhere. Database 0 as an app would; each test keeps to a prefix of its own.
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379/0";

/** A key and channel prefix no other test uses: give it to every instance of one test as REDIS_KEY_PREFIX. */
export function uniqueRedisPrefix(): string {
  return `tracewell-test-${randomBytes(6).toString("hex")}:`;
}

/** The environment that makes an instance share its state through the test Redis under `prefix`. */
export function redisEnv(prefix: string, url = TEST_REDIS_URL): Record<string, string> {
  return { REDIS_URL: url, REDIS_KEY_PREFIX: prefix };
}

/** A client of the test Redis (close it with quit()). */
export function testRedis(): Redis {
  return new Redis(TEST_REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 });
}

/** Deletes every key under `prefix` (a test's cleanup). */
export async function deleteRedisPrefix(prefix: string): Promise<void> {
  const redis = testRedis();
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

function redisAnswers(): Promise<boolean> {
  const { hostname, port } = new URL(TEST_REDIS_URL);
  return new Promise((resolve) => {
    const socket = connect(Number(port || 6379), hostname);
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => {
      socket.write("PING\r\n");
      socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
    });
  });
}

const redisUp = await redisAnswers();

/**
 * describe() for suites of several instances: PostgreSQL and Redis. Without Redis the suite is
 * skipped and its name says why, except on CI (CI=true), where a missing server is a failure.
 */
export function describeWithRedisAndPostgres(name: string, suite: () => void): void {
  describeWithRedis(name, suite, describePostgres);
}

/** describe() for suites that need Redis only; skipped without it, except under CI=true. */
export function describeWithRedis(name: string, suite: () => void, describeWhenUp: (name: string, suite: () => void) => void = describe): void {
  if (redisUp) {
    describeWhenUp(name, suite);
  } else if (process.env.CI === "true") {
    describe(name, () => {
      it("has a Redis server to run against", () => {
        throw new Error(`Redis is not reachable at ${TEST_REDIS_URL} and CI=true: start it, the suite must not be skipped on CI.`);
      });
    });
  } else {
    const reason = `Redis not reachable at ${TEST_REDIS_URL}`;
    console.warn(`Skipping "${name}": ${reason}.`);
    describe.skip(`${name} [skipped: ${reason}]`, suite);
  }
}
