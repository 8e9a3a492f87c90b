/**
 * The process's link to Redis (REDIS_URL): what several instances behind a load balancer share
 * (rate limits, key revocations, sign-in failures, live events). Optional, and never allowed to
 * hold up a caller: commands time out after COMMAND_TIMEOUT_MS, nothing is queued while the
 * connection is down, and after a failure Redis is left alone for PAUSE_AFTER_FAILURE_MS. Every
 * user falls back to this instance's own state meanwhile (fail open), and the outage is logged
 * once per COMPLAINT_INTERVAL_MS, not once per call.
 *
 * Two connections per process (a process slot: the custom server and Next's bundles load their
 * own copies of this module): one for commands, one in subscriber mode, which Redis reserves for
 * SUBSCRIBE. Keys carry REDIS_KEY_PREFIX (ioredis' keyPrefix); channels get it by redisChannel().
 */
import Redis from "ioredis";
import { config } from "./config";
import { processSingleton, processSlot } from "./process-slot";

// A command on loopback takes 0.1–0.3 ms, across a network a millisecond or two: past this Redis
// is in trouble, and the caller (an LLM call waiting for its rate limit) must not wait for it.
const COMMAND_TIMEOUT_MS = 250;
const CONNECT_TIMEOUT_MS = 1_000;
const MAX_RECONNECT_DELAY_MS = 2_000;
// After a failed or timed-out command, callers use local state for this long instead of paying
// the timeout again on every call.
const PAUSE_AFTER_FAILURE_MS = 1_000;
const COMPLAINT_INTERVAL_MS = 30_000;
// How long the server waits for Redis at start before serving with local state.
const START_WAIT_MS = 2_000;

type MessageListener = (message: string) => void;

interface RedisLink {
  commands: Redis;
  subscriber: Redis | null;
  /** by channel: what this process listens to (sent again whenever the subscriber reconnects) */
  listeners: Map<string, Set<MessageListener>>;
  pausedUntilMs: number;
  lastComplaintMs: number;
}

const linkSlot = processSlot<RedisLink>("redis");

function link(): RedisLink | null {
  const url = config().REDIS_URL;
  if (!url) return null;
  return processSingleton<RedisLink>("redis", () => {
    const commands = new Redis(url, connectionOptions());
    const created: RedisLink = { commands, subscriber: null, listeners: new Map(), pausedUntilMs: 0, lastComplaintMs: Number.NEGATIVE_INFINITY };
    commands.on("error", (error: Error) => complain(created, "connection", error));
    return created;
  });
}

function connectionOptions() {
  return {
    keyPrefix: config().REDIS_KEY_PREFIX,
    connectionName: "tracewell",
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    // Nothing waits for a connection that is not there: the caller falls back at once.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, MAX_RECONNECT_DELAY_MS),
  };
}

/** True when REDIS_URL is set: state is meant to be shared (whether or not Redis answers right now). */
export function redisConfigured(): boolean {
  return config().REDIS_URL !== undefined;
}

/**
 * The command connection when it can be used right now, else null (REDIS_URL unset, connecting,
 * reconnecting, or pausing after a failure): the caller then uses local state. The first call
 * opens the connection.
 */
export function sharedRedis(): Redis | null {
  const current = link();
  if (!current || current.commands.status !== "ready" || performance.now() < current.pausedUntilMs) return null;
  return current.commands;
}

/** The command connection once ready, waiting at most `timeoutMs` (a one-off publish, the start); null if not by then. */
export async function sharedRedisWhenReady(timeoutMs = CONNECT_TIMEOUT_MS): Promise<Redis | null> {
  const current = link();
  if (!current) return null;
  const { commands } = current;
  if (commands.status !== "ready") {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        commands.off("ready", done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      commands.on("ready", done);
    });
  }
  return commands.status === "ready" ? commands : null;
}

/**
 * A command of Redis failed or timed out: callers use local state for PAUSE_AFTER_FAILURE_MS, and
 * the log says so (once per COMPLAINT_INTERVAL_MS).
 */
export function redisFailed(what: string, error: unknown): void {
  const current = linkSlot.value;
  if (!current) return;
  current.pausedUntilMs = performance.now() + PAUSE_AFTER_FAILURE_MS;
  complain(current, what, error);
}

function complain(current: RedisLink, what: string, error: unknown): void {
  const now = performance.now();
  if (now - current.lastComplaintMs < COMPLAINT_INTERVAL_MS) return;
  current.lastComplaintMs = now;
  const reason = error instanceof Error ? error.message : String(error);
  console.error(`[redis] ${what} failed (${reason}); this instance uses its own rate limits, sign-in counts and live events until Redis answers again.`);
}

/** A channel name carrying REDIS_KEY_PREFIX (Redis keeps one channel namespace for all databases). */
export function redisChannel(name: string): string {
  return config().REDIS_KEY_PREFIX + name;
}

/**
 * Calls a Lua script by EVALSHA (ioredis loads it on the first NOSCRIPT). The first
 * `numberOfKeys` arguments are keys (prefixed), the rest arguments.
 */
export function redisScript(name: string, lua: string, numberOfKeys: number): (redis: Redis, ...keysAndArgs: Array<string | number>) => Promise<unknown> {
  return (redis, ...keysAndArgs) => {
    const commands = redis as unknown as Record<string, (...args: Array<string | number>) => Promise<unknown>>;
    if (typeof commands[name] !== "function") redis.defineCommand(name, { lua, numberOfKeys });
    return commands[name]!(...keysAndArgs);
  };
}

/**
 * Listens to a channel (named with redisChannel) on the process's subscriber connection; returns
 * the function that stops (safe to call more than once). Redis is asked to SUBSCRIBE for a
 * channel's first listener and to UNSUBSCRIBE after its last, and every channel listened to is
 * subscribed again after a reconnection; messages sent while disconnected are lost.
 */
export function subscribeRedis(channel: string, listener: MessageListener): () => void {
  const current = link();
  if (!current) return () => undefined;
  const subscriber = subscriberOf(current);
  let set = current.listeners.get(channel);
  if (!set) {
    current.listeners.set(channel, (set = new Set()));
    if (subscriber.status === "ready") subscriber.subscribe(channel).catch((error: unknown) => complain(current, "subscribe", error));
  }
  const entry: MessageListener = (message) => listener(message);
  set.add(entry);
  return () => {
    if (!set.delete(entry) || set.size > 0 || current.listeners.get(channel) !== set) return;
    current.listeners.delete(channel);
    if (subscriber.status === "ready") subscriber.unsubscribe(channel).catch(() => undefined);
  };
}

function subscriberOf(current: RedisLink): Redis {
  if (current.subscriber) return current.subscriber;
  const subscriber = current.commands.duplicate({ ...connectionOptions(), connectionName: "tracewell-subscriber", autoResubscribe: false });
  subscriber.on("error", (error: Error) => complain(current, "subscriber connection", error));
  subscriber.on("ready", () => {
    const channels = [...current.listeners.keys()];
    if (channels.length > 0) subscriber.subscribe(...channels).catch((error: unknown) => complain(current, "subscribe", error));
  });
  subscriber.on("message", (channel: string, message: string) => {
    for (const listener of [...(current.listeners.get(channel) ?? [])]) {
      try {
        listener(message);
      } catch (error) {
        console.error(`[redis] a listener of ${channel} failed:`, error instanceof Error ? error.message : error);
      }
    }
  });
  return (current.subscriber = subscriber);
}

/**
 * At start: opens the connection and waits for it (START_WAIT_MS at most), so an instance's first
 * calls already share the rate limit; says on stdout what is shared, or why not yet.
 */
export async function connectRedis(): Promise<void> {
  const url = config().REDIS_URL;
  if (!url) return;
  const where = describeRedis(url);
  if (await sharedRedisWhenReady(START_WAIT_MS)) {
    console.log(`Redis: ${where} (rate limits, key revocations, sign-in failures and live events shared with every instance using it)`);
  } else {
    console.error(`Redis: ${where} does not answer yet; this instance uses its own rate limits, sign-in counts and live events until it does.`);
  }
}

/** Closes both connections (shutdown, the end of a script). */
export async function closeRedis(): Promise<void> {
  const current = linkSlot.value;
  if (!current) return;
  linkSlot.value = undefined;
  await Promise.all([current.commands, current.subscriber].map((redis) => redis?.quit().catch(() => redis.disconnect())));
}

/** host:port/db, without the credentials a URL may carry. */
function describeRedis(url: string): string {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
}
