// TEMP profiling harness (not committed)
import { existsSync, copyFileSync } from "node:fs";
import Database from "better-sqlite3";
const FILE = "/tmp/prof/insights.db";
const FROM = new Date(Date.UTC(2026, 0, 1));
const TO = new Date(FROM.getTime() + 30 * 86_400_000);
async function run(org: string) {
  const { getMetricsSummary, getMetricsTimeseries, getMetricsTop } = await import("../../lib/read-api/metrics");
  const q = (extra: Record<string, string>) => new URLSearchParams({ from: FROM.toISOString(), to: TO.toISOString(), ...extra });
  const which = process.argv[2] ?? "all";
  const qs: Record<string, () => Promise<unknown>> = {
    summary: () => getMetricsSummary(org, q({})),
    timeseries: () => getMetricsTimeseries(org, q({ groupBy: "model" })),
    top: () => getMetricsTop(org, q({ by: "model", order: "cost", limit: "10" })),
    topUsers: () => getMetricsTop(org, q({ by: "userId", order: "cost", limit: "10" })),
    summaryStep: () => getMetricsSummary(org, q({ "property.step": "step-7" })),
  };
  for (const [name, f] of Object.entries(qs)) {
    if (which !== "all" && which !== name) continue;
    const times: number[] = [];
    for (let i = 0; i < 5; i++) { const t = performance.now(); await f(); times.push(performance.now() - t); }
    console.log(name, times.map((t) => Math.round(t)).join(" "));
  }
}
if (existsSync(FILE)) {
  process.env.DATABASE_URL = `file:${FILE}`;
  const { reloadConfig } = await import("../../lib/shared/config");
  reloadConfig();
  const db = new Database(FILE, { readonly: true });
  const org = (db.prepare(`SELECT "id" FROM "Organization"`).get() as { id: string }).id;
  db.close();
  await run(org);
  process.exit(0);
} else {
  const { withSyntheticDatabase } = await import("./synthetic-database");
  await withSyntheticDatabase("sqlite", Number(process.env.ROWS ?? 1_000_000), async ({ url }) => { const d = new Database(url.slice(5)); d.pragma("wal_checkpoint(TRUNCATE)"); d.close(); copyFileSync(url.slice(5), FILE); });
}
