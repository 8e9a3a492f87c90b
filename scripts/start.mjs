// `npm start`: builds the dashboard when the build is missing or older than the sources, then
// runs server.ts in this same process (one PID to stop).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
process.chdir(root);

const SOURCES = ["app", "components", "lib", "public", "next.config.mjs", "postcss.config.mjs", "package.json"];
const SKIP = new Set(["node_modules", "generated", ".next"]);

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (!SKIP.has(entry)) newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

const buildId = join(root, ".next", "BUILD_ID");
const builtAt = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
if (builtAt < Math.max(...SOURCES.map(newestMtime))) {
  console.log(builtAt === 0 ? "Building the dashboard (first start)…" : "Sources changed since the last build: rebuilding…");
  const build = spawnSync(join(root, "node_modules", ".bin", "next"), ["build"], { stdio: "inherit", env: process.env });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

process.env.NODE_ENV ??= "production";
const { register } = await import("tsx/esm/api");
register();
await import("../server.ts");
