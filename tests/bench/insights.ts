/**
 * The metrics API's answers at 1,000,000 requests over 30 days (synthetic-database.ts), on SQLite
 * and on PostgreSQL, through lib/read-api as the routes call it: a 30-day summary, a 30-day
 * timeseries grouped by model, a top-10 of models by cost, each without a filter and with a
 * property filter; beside each, a plain GROUP BY over the same raw rows (counts and sums only:
 * no percentiles, distinct counts or wasted spend), the floor a scan of the rows costs.
 * Then the Dashboard page itself in headless Chromium on the same data (dashboard-page.ts), from
 * navigation until every tile, chart and breakdown is loaded.
 * Targets (issue 13): p95 ≤ 150 ms for each API answer; the page ≤ 1.5 s.
 *
 *   tsx tests/bench/insights.ts [--rows 1000000] [--runs 5] [--only sqlite|postgres]
 */
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { percentile, round, writeResult } from "./bench-processes";
import { existsSync } from "node:fs";
import { timeDashboardPage } from "./dashboard-page";
import { BASE_EPOCH_S, withSyntheticDatabase } from "./synthetic-database";

const { values } = parseArgs({
  options: { rows: { type: "string", default: "1000000" }, runs: { type: "string", default: "5" }, only: { type: "string" } },
});
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);
const DAY_MS = 86_400_000;
const FROM = new Date(BASE_EPOCH_S * 1000);
const TO = new Date(FROM.getTime() + 30 * DAY_MS);

/** The property filters: none, a broad one (two requests in three) and a narrow one (one in fifty). */
const FILTERS: Array<{ name: string; property: [string, string] | null }> = [
  { name: "no filter", property: null },
  { name: "env = prod", property: ["env", "prod"] },
  { name: "step = step-7", property: ["step", "step-7"] },
];

type Kind = "sqlite" | "postgres";

/** A plain GROUP BY over the raw rows, per question, in each database's syntax. */
function plainSql(kind: Kind, question: "summary" | "timeseries" | "top", property: [string, string] | null): { text: string; values: unknown[] } {
  const time = (date: Date) => (kind === "sqlite" ? date.toISOString().replace("Z", "+00:00") : date.toISOString());
  const p = (i: number) => (kind === "sqlite" ? "?" : `$${i}`);
  const cast = kind === "sqlite" ? "" : "::timestamptz AT TIME ZONE 'UTC'";
  const values: unknown[] = [time(FROM), time(TO)];
  let where = `r."startTime" >= (${p(1)}${cast}) AND r."startTime" < (${p(2)}${cast})`;
  if (property) {
    values.push(property[0], property[1]);
    where += ` AND r."id" IN (SELECT "requestId" FROM "RequestProperty" WHERE "key" = ${p(3)} AND "value" = ${p(4)})`;
  }
  const sums = `count(*), sum(CASE WHEN r."status" BETWEEN 200 AND 299 THEN 0 ELSE 1 END), sum(r."costUsd"), sum(r."promptTokens"), sum(r."completionTokens")`;
  const day = kind === "sqlite" ? `substr(r."startTime", 1, 10)` : `date_trunc('day', r."startTime")`;
  const text = {
    summary: `SELECT ${sums} FROM "Request" r WHERE ${where}`,
    timeseries: `SELECT ${day}, r."model", ${sums} FROM "Request" r WHERE ${where} GROUP BY 1, 2`,
    top: `SELECT r."model", ${sums} FROM "Request" r WHERE ${where} GROUP BY 1 ORDER BY 4 DESC LIMIT 10`,
  }[question];
  return { text, values };
}

async function timed(runs: number, work: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await work(); // warm: caches, prepared plans
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: round(percentile(samples, 50)), p95: round(percentile(samples, 95)) };
}

async function measure(kind: Kind, databaseUrl: string, organizationId: string): Promise<Record<string, unknown>[]> {
  const { getMetricsSummary, getMetricsTimeseries, getMetricsTop } = await import("../../lib/read-api/metrics");
  const sqlite = kind === "sqlite" ? new Database(databaseUrl.slice("file:".length), { readonly: true }) : null;
  const client = kind === "postgres" ? new pg.Client({ connectionString: databaseUrl }) : null;
  await client?.connect();
  const plain = async (sql: { text: string; values: unknown[] }) => (sqlite ? sqlite.prepare(sql.text).all(...sql.values) : (await client!.query(sql.text, sql.values)).rows);
  const results: Record<string, unknown>[] = [];
  try {
    for (const { name, property } of FILTERS) {
      const params = (extra: Record<string, string>) =>
        new URLSearchParams({ from: FROM.toISOString(), to: TO.toISOString(), ...(property ? { [`property.${property[0]}`]: property[1] } : {}), ...extra });
      const questions = {
        summary: () => getMetricsSummary(organizationId, params({})),
        timeseries: () => getMetricsTimeseries(organizationId, params({ groupBy: "model" })),
        top: () => getMetricsTop(organizationId, params({ by: "model", order: "cost", limit: "10" })),
      };
      for (const [question, ask] of Object.entries(questions) as Array<[keyof typeof questions, () => Promise<unknown>]>) {
        const api = await timed(RUNS, ask);
        const reference = await timed(RUNS, () => plain(plainSql(kind, question, property)));
        const answer = await ask();
        const requests = question === "summary" ? (answer as { requests: number }).requests : undefined;
        results.push({
          database: kind,
          question: { summary: "summary 30 d", timeseries: "timeseries 30 d by model", top: "top 10 models by cost" }[question],
          filter: name,
          ...(requests !== undefined ? { requests } : {}),
          "API p50 ms": api.p50,
          "API p95 ms": api.p95,
          "GROUP BY p50 ms": reference.p50,
          "GROUP BY p95 ms": reference.p95,
        });
        console.log(JSON.stringify(results.at(-1)));
      }
    }
  } finally {
    sqlite?.close();
    await client?.end();
  }
  if (existsSync("/usr/bin/chromium")) {
    const samples = (await timeDashboardPage(databaseUrl, organizationId, { from: FROM, to: TO }, RUNS)).sort((a, b) => a - b);
    results.push({ database: kind, question: "Dashboard page complete (Chromium)", filter: "no filter", "API p50 ms": round(percentile(samples, 50)), "API p95 ms": round(percentile(samples, 95)) });
    console.log(JSON.stringify(results.at(-1)));
  } else console.log("Chromium is missing (/usr/bin/chromium): the Dashboard page is not timed.");
  return results;
}

async function benchDatabase(kind: Kind): Promise<Record<string, unknown>[]> {
  return withSyntheticDatabase(kind, ROWS, ({ url, organizationId }) => measure(kind, url, organizationId));
}

{
  const kinds = (values.only ? [values.only] : ["sqlite", "postgres"]) as Kind[];
  const results: Record<string, unknown>[] = [];
  for (const kind of kinds) results.push(...(await benchDatabase(kind)));
  console.table(results);
  const api = results.filter((r) => !String(r.question).startsWith("Dashboard page"));
  const pages = results.filter((r) => String(r.question).startsWith("Dashboard page"));
  console.log(`worst API p95: ${Math.max(...api.map((r) => r["API p95 ms"] as number))} ms (target ≤ 150 ms)`);
  if (pages.length > 0) console.log(`worst Dashboard page p95: ${Math.max(...pages.map((r) => r["API p95 ms"] as number))} ms (target ≤ 1,500 ms)`);
  console.log(`wrote ${writeResult("insights", { rows: ROWS, runs: RUNS, results })}`);
}
