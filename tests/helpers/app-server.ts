import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface RunningApp {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  /** an API key of the default organization (SEED_API_KEY) */
  apiKey: string;
  /** where OTLP/gRPC listens, e.g. 127.0.0.1:40124; null unless asked for (`otlpGrpc`) */
  otlpGrpcAddress: string | null;
  pid: number;
  output(): string;
  stop(): Promise<void>;
  /** SIGKILL: the process ends at once, as in a crash or an OOM kill; nothing is flushed */
  crash(): Promise<void>;
}

export interface StartAppOptions {
  databaseUrl: string;
  openaiUpstreamUrl?: string;
  anthropicUpstreamUrl?: string;
  /** the SEED_API_KEY to start with; a fresh one by default (instances of one database share one) */
  apiKey?: string;
  env?: Record<string, string>;
  /**
   * Serve OTLP/gRPC on a free port. Off by default: every app started here would otherwise take
   * 4317 (OTLP_GRPC_PORT's default), and apps start in parallel. An OTLP_GRPC_PORT in `env` wins.
   */
  otlpGrpc?: boolean;
}

export function generateTestApiKey(): string {
  return `sk-tw-test-${randomBytes(16).toString("hex")}`;
}

/**
 * Starts the real server (server.ts: lean ingest path + Next production build) on a free port.
 * The Next build must exist: `npm test` builds it first when stale.
 */
export async function startApp(options: StartAppOptions): Promise<RunningApp> {
  const apiKey = options.apiKey ?? generateTestApiKey();
  const otlpGrpcPort = options.otlpGrpc ? await freePort() : 0;
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: options.databaseUrl,
      SEED_API_KEY: apiKey,
      OPENAI_UPSTREAM_URL: options.openaiUpstreamUrl ?? "http://127.0.0.1:9",
      ANTHROPIC_UPSTREAM_URL: options.anthropicUpstreamUrl ?? "http://127.0.0.1:9",
      OTLP_GRPC_PORT: String(otlpGrpcPort),
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${output}`)), 60_000);
    const onData = () => {
      const match = /Listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!.replace("localhost", "127.0.0.1"));
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });

  // server.ts prints it before "Listening on".
  const otlpGrpcAddress = /OTLP gRPC listening on (\S+)/.exec(output)?.[1]?.replace("localhost", "127.0.0.1") ?? null;
  return { url, apiKey, otlpGrpcAddress, pid: child.pid!, output: () => output, stop: () => stopChild(child), crash: () => stopChild(child, "SIGKILL") };
}

/** A port nothing listens on right now (the OS's pick for port 0, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** SIGTERM (or the given signal), then SIGKILL after 10 s; resolves once the process has exited. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  // A process ended by a signal (crash()) has no exit code, only its signal.
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}
