/**
 * A real load balancer in front of several app instances, as an operator runs Tracewell at scale:
 * HAProxy (Debian's package; `npm test` installs it when missing and running as root) on a free
 * loopback port, round-robin over N instances of the real server, all on one PostgreSQL database
 * and one Redis.
 *
 * Why HAProxy rather than nginx: when an instance dies, HAProxy sends the calls it could not
 * deliver (connection refused) or that got no answer at all (the process died before its first
 * byte) to another instance by itself (`retry-on` + `option redispatch`), POSTs included, the way
 * the SDKs' own retry would; nginx retries a POST only with `proxy_next_upstream non_idempotent`,
 * and its open-source build has no active health checks. HAProxy also answers which instance
 * served a call (a response header) and reports what it thinks of each one (its stats socket).
 *
 * The health check is GET /api/health. An instance is up when that answers its JSON, 200
 * ("ok") or 503 ("degraded": its database is away). A degraded instance still answers LLM calls
 * and spools their logs (README: Faults), so taking it out would turn a database outage, which
 * every instance sees at once, into refused LLM calls. An instance still starting (server.ts
 * answers a plain-text 503 until Next is ready) is not up.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "vitest";
import { freePort, generateTestApiKey, startApp, stopChild, type RunningApp } from "./app-server";
import { postgresAvailable } from "./test-databases";

/** The response header naming the instance that served a call (HAProxy's name for it: app1, app2, …). */
export const INSTANCE_HEADER = "x-tracewell-instance";

const HAPROXY_CANDIDATES = ["/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy"];

/** Where Debian's haproxy binary is, or null when it is not installed. */
export function haproxyBinary(): string | null {
  return HAPROXY_CANDIDATES.find((path) => existsSync(path)) ?? null;
}

/** A Redis database of the local server (PLATFORM: Redis on 127.0.0.1:6379): one number per user so tests never collide. */
export function localRedisUrl(database: number): string {
  return `${process.env.TEST_REDIS_SERVER ?? "redis://127.0.0.1:6379"}/${database}`;
}

/** True when a Redis server answers PING at `url` within a second. */
export function redisAvailable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port || 6379), hostname || "127.0.0.1");
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (chunk) => done(chunk.toString().startsWith("+PONG")));
  });
}

export interface LoadBalancerServer {
  /** what HAProxy calls it, and what INSTANCE_HEADER says */
  name: string;
  port: number;
}

export interface LoadBalancer {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  pid: number;
  /** HAProxy's state of each server by name: "UP", "DOWN", "MAINT", … (its stats socket) */
  serverStates(): Promise<Record<string, string>>;
  /** resolves once HAProxy sees the server in `state`; throws after `timeoutMs` */
  waitForServer(name: string, state: "UP" | "DOWN", timeoutMs?: number): Promise<void>;
  /** what HAProxy printed: its warnings and health check changes */
  output(): string;
  stop(): Promise<void>;
}

/** The whole HAProxy configuration, one place to read what the balancer does. */
function haproxyConfig(port: number, servers: readonly LoadBalancerServer[], statsSocket: string): string {
  return `global
  maxconn 4096
  stats socket ${statsSocket} mode 600 level admin

defaults
  mode http
  timeout connect 2s
  timeout client 5m
  timeout server 5m
  timeout check 5s
  # A call that could not be delivered, or got no byte of answer before its instance died, is sent
  # again, each time to another instance. A call whose answer had begun is never replayed.
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response

frontend tracewell
  bind 127.0.0.1:${port}
  default_backend instances

backend instances
  balance roundrobin
  option httpchk
  http-check send meth GET uri /api/health
  http-check expect rstatus ^(200|503)$
  http-check expect string logQueue
  option log-health-checks
  default-server check inter 500ms fall 3 rise 1
  http-response set-header ${INSTANCE_HEADER} %s
${servers.map((server) => `  server ${server.name} 127.0.0.1:${server.port}`).join("\n")}
`;
}

/** Starts HAProxy (foreground, its own temp directory) and waits until every server is up. */
export async function startLoadBalancer(servers: readonly LoadBalancerServer[]): Promise<LoadBalancer> {
  const binary = haproxyBinary();
  if (!binary) throw new Error("haproxy is not installed (apt-get install haproxy)");
  const directory = await mkdtemp(join(tmpdir(), "tracewell-haproxy-"));
  const statsSocket = join(directory, "admin.sock");
  const configFile = join(directory, "haproxy.cfg");
  const port = await freePort();
  await writeFile(configFile, haproxyConfig(port, servers, statsSocket));

  const child: ChildProcess = spawn(binary, ["-db", "-f", configFile], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const serverStates = async () => parseServerStates(await statsCommand(statsSocket, "show stat"));
  const waitForServer = async (name: string, state: "UP" | "DOWN", timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    let seen: string | undefined;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}:\n${output}`);
      seen = await serverStates().then(
        (states) => states[name],
        () => undefined, // the socket is not there yet
      );
      if (seen === state) return; // not "UP 1/3": up, but failing checks
      await sleep(100);
    }
    throw new Error(`haproxy still sees ${name} as ${seen ?? "unknown"} after ${timeoutMs} ms, not ${state}:\n${output}`);
  };
  const stop = async () => {
    await stopChild(child);
    await exited;
    await rm(directory, { recursive: true, force: true });
  };

  try {
    for (const server of servers) await waitForServer(server.name, "UP", 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, serverStates, waitForServer, output: () => output, stop };
}

/** One command on HAProxy's stats socket; resolves with its whole answer. */
function statsCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let answer = "";
    socket.setTimeout(2000, () => socket.destroy(new Error(`haproxy stats socket: no answer to "${command}"`)));
    socket.once("connect", () => socket.write(`${command}\n`));
    socket.on("data", (chunk) => (answer += chunk));
    socket.once("error", reject);
    socket.once("end", () => resolve(answer));
  });
}

/** `show stat` CSV → status of each server of the backend (frontend and backend rows left out). */
function parseServerStates(csv: string): Record<string, string> {
  const [header, ...rows] = csv.trim().split("\n");
  const columns = header!.replace(/^# /, "").split(",");
  const name = columns.indexOf("svname");
  const status = columns.indexOf("status");
  const states: Record<string, string> = {};
  for (const row of rows) {
    const fields = row.split(",");
    if (fields[name] !== "FRONTEND" && fields[name] !== "BACKEND") states[fields[name]!] = fields[status]!;
  }
  return states;
}

export interface BalancedInstancesOptions {
  count: number;
  /** the one database every instance shares */
  databaseUrl: string;
  /** the DATABASE_URL instance `index` is given (default: databaseUrl), e.g. through a cuttable link */
  databaseUrlOf?: (index: number) => string;
  openaiUpstreamUrl: string;
  redisUrl: string;
  /** environment for every instance, on top of the shared settings */
  env?: Record<string, string>;
}

export interface BalancedInstances {
  /** the load balancer's address: what clients are given */
  url: string;
  balancer: LoadBalancer;
  /** the API key every instance knows (SEED_API_KEY) */
  apiKey: string;
  /** HAProxy's name of each instance, as INSTANCE_HEADER reports it: app1, app2, … */
  names: string[];
  /** the process serving slot `index` now (a restart replaces it) */
  instance(index: number): RunningApp;
  /** the spool directory of slot `index`, kept across restarts */
  spoolDirectory(index: number): string;
  /** stops slot `index` if it runs, starts it again on the same port, environment and spool directory, and waits until the balancer sends it calls */
  restart(index: number): Promise<RunningApp>;
  stop(): Promise<void>;
}

/**
 * `count` instances of the real server behind HAProxy. They share what an operator shares
 * between instances (the database, Redis, AUTH_SECRET, an API key), and each keeps its own local
 * files: its own LOG_SPOOL_DIR, in a temp directory that outlives its process, so a restarted
 * instance finds the spool a killed one left. Ports are fixed per slot, so the balancer's
 * configuration holds across restarts. The first instance starts alone (a fresh database's first
 * start creates its organization), the others after it.
 */
export async function startBalancedInstances(options: BalancedInstancesOptions): Promise<BalancedInstances> {
  const root = await mkdtemp(join(tmpdir(), "tracewell-instances-"));
  const apiKey = generateTestApiKey();
  const shared = { REDIS_URL: options.redisUrl, AUTH_SECRET: randomBytes(32).toString("base64url") };
  const names = Array.from({ length: options.count }, (_, index) => `app${index + 1}`);
  const ports: number[] = [];
  for (let index = 0; index < options.count; index++) ports.push(await freePort());
  const spoolDirectory = (index: number) => join(root, names[index]!, "spool");

  const start = (index: number) =>
    startApp({
      databaseUrl: options.databaseUrlOf?.(index) ?? options.databaseUrl,
      openaiUpstreamUrl: options.openaiUpstreamUrl,
      anthropicUpstreamUrl: options.openaiUpstreamUrl,
      apiKey,
      env: { ...options.env, ...shared, PORT: String(ports[index]), LOG_SPOOL_DIR: spoolDirectory(index) },
    });

  const instances: RunningApp[] = [];
  let balancer: LoadBalancer | undefined;
  const stop = async () => {
    await balancer?.stop();
    await Promise.all(instances.map((instance) => instance.stop()));
    await rm(root, { recursive: true, force: true });
  };
  try {
    instances.push(await start(0));
    for (let index = 1; index < options.count; index++) instances.push(await start(index));
    // An instance's first /api/health loads its route (1-2 s on a busy machine): not the balancer's first check.
    await Promise.all(instances.map((instance) => fetch(`${instance.url}/api/health`).then((response) => response.arrayBuffer())));
    balancer = await startLoadBalancer(names.map((name, index) => ({ name, port: ports[index]! })));
  } catch (error) {
    await stop();
    throw error;
  }
  const running = balancer;

  return {
    url: running.url,
    balancer: running,
    apiKey,
    names,
    instance: (index) => instances[index]!,
    spoolDirectory,
    async restart(index) {
      await instances[index]!.stop();
      instances[index] = await start(index);
      await fetch(`${instances[index]!.url}/api/health`).then((response) => response.arrayBuffer());
      await running.waitForServer(names[index]!, "UP");
      return instances[index]!;
    },
    stop,
  };
}

const SERVICES_MISSING_HELP = "install it with apt-get install haproxy (npm test does so when running as root)";

/**
 * describe() for suites behind the load balancer: they need HAProxy, PostgreSQL and Redis. When
 * one is missing the suite is skipped and its name says why, except under CI=true, where it
 * fails instead: the proof of scale-out must run there.
 */
export async function describeLoadBalanced(name: string, redisUrl: string, suite: () => void): Promise<void> {
  const missing: string[] = [];
  if (!haproxyBinary()) missing.push(`haproxy is not installed (${SERVICES_MISSING_HELP})`);
  if (!(await postgresAvailable())) missing.push("PostgreSQL is not reachable at 127.0.0.1:5432");
  if (!(await redisAvailable(redisUrl))) missing.push(`Redis is not reachable at ${new URL(redisUrl).host}`);
  if (missing.length === 0) {
    describe(name, suite);
  } else if (process.env.CI === "true") {
    describe(name, () => {
      it("has a load balancer, PostgreSQL and Redis to run against", () => {
        throw new Error(`${missing.join("; ")}; CI=true: this suite must not be skipped on CI.`);
      });
    });
  } else {
    const reason = missing.join("; ");
    console.warn(`Skipping "${name}": ${reason}.`);
    describe.skip(`${name} [skipped: ${reason}]`, suite);
  }
}
