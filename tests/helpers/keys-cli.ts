import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run keys -- <args>` against `databaseUrl`, exactly as an operator types it (`env`: more of its environment, e.g. REDIS_URL). */
export function runKeysCli(databaseUrl: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "keys", "--", ...args], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `npm run keys -- create …`: the new key (stdout's last line) and its id (for revoke). */
export async function createKeyWithCli(databaseUrl: string, args: string[]): Promise<{ key: string; id: string }> {
  const result = await runKeysCli(databaseUrl, ["create", ...args]);
  if (result.code !== 0) throw new Error(`keys create exited with ${result.code}:\n${result.stdout}\n${result.stderr}`);
  const key = result.stdout.trimEnd().split("\n").at(-1)!.trim();
  const id = /\(id ([^)]+)\)/.exec(result.stdout)?.[1];
  if (!id) throw new Error(`keys create printed no id:\n${result.stdout}`);
  return { key, id };
}
