/**
 * `npm run bench [-- <part> …]`: runs the benchmarks one after another (loopback only, each
 * bounded in time), printing each table and writing bench-results/<part>.json.
 * Parts: proxy, custom-log, otlp, trace-api, requests-query, insights, trace-view, live, live-fanout, retention, partitioned-ingest, scale. Default: all that exist.
 * Options written `--name=value` go to every part run, e.g. `npm run bench -- scale --seconds=30`.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { projectRoot } from "./bench-processes";

const PARTS: Record<string, string> = {
  proxy: "tests/bench/proxy-overhead.ts",
  "custom-log": "tests/bench/custom-log-ingest.ts",
  otlp: "tests/bench/otlp-ingest.ts",
  "trace-api": "tests/bench/trace-api.ts",
  "requests-query": "tests/bench/requests-query.ts",
  insights: "tests/bench/insights.ts",
  "trace-view": "tests/bench/trace-view.ts",
  live: "tests/bench/live.ts",
  "live-fanout": "tests/bench/live-fanout.ts",
  retention: "tests/bench/retention.ts",
  "partitioned-ingest": "tests/bench/partitioned-ingest.ts",
  scale: "tests/bench/scale.ts",
};

// Minutes, where a part needs more than 5: requests-query fills three databases of a million rows
// and takes one of them over into time partitions; scale runs two configurations of instances,
// then the partitioned-ingest bench.
const LONGER_PARTS_MIN: Record<string, number> = { "requests-query": 20, scale: 20 };

const requested = process.argv.slice(2).filter((arg) => !arg.startsWith("-"));
const options = process.argv.slice(2).filter((arg) => arg.startsWith("-"));
const unknown = requested.filter((part) => !(part in PARTS));
if (unknown.length > 0) {
  console.error(`unknown part(s): ${unknown.join(", ")}; choose from ${Object.keys(PARTS).join(", ")}`);
  process.exit(2);
}
const parts = requested.length > 0 ? requested : Object.keys(PARTS).filter((part) => existsSync(`${projectRoot}/${PARTS[part]}`));

const failed: string[] = [];
for (const part of parts) {
  console.log(`\n=== ${part} ===`);
  const started = performance.now();
  const run = spawnSync(process.execPath, ["--import", "tsx", PARTS[part]!, ...options], { cwd: projectRoot, stdio: "inherit", timeout: (LONGER_PARTS_MIN[part] ?? 5) * 60_000 });
  console.log(`(${part}: ${Math.round((performance.now() - started) / 1000)} s)`);
  if (run.status !== 0) failed.push(part);
}
if (failed.length > 0) {
  console.error(`failed: ${failed.join(", ")}`);
  process.exit(1);
}
