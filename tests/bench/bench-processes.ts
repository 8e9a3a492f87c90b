import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { stopChild } from "../helpers/app-server";

export const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

/**
 * The app under load: one API key sends far more than the default per-key rate limit allows
 * (RATE_LIMIT_PER_SECOND), so the limit is raised out of the way; its check still runs on every
 * request, and so is part of what is measured.
 */
export const BENCH_APP_ENV = { RATE_LIMIT_PER_SECOND: "1000000", RATE_LIMIT_BURST: "1000000" };

export interface BenchProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts a TypeScript entry point as its own process and waits for its "listening on <url>" line. */
export function spawnListening(entry: string, args: string[] = [], env: Record<string, string> = {}): Promise<BenchProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /listening on (http:\/\/[^\s]+)/i.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      child.stdout!.resume();
      resolve({ url: match[1]!.replace("localhost", "127.0.0.1"), pid: child.pid!, stop: () => stopChild(child) });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk) => (output += chunk));
    child.once("exit", (code) => reject(new Error(`${entry} exited with ${code}:\n${output}`)));
  });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

export function writeResult(name: string, result: unknown): string {
  const dir = `${projectRoot}/bench-results`;
  mkdirSync(dir, { recursive: true });
  const path = `${dir}/${name}.json`;
  writeFileSync(path, JSON.stringify(result, null, 2));
  return path;
}

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
