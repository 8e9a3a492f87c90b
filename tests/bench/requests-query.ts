/**
 * Requests query at 1,000,000 rows, on SQLite, on PostgreSQL with plain tables and on PostgreSQL
 * with the request tables partitioned by day (side by side: the partitioned layout must be no
 * slower): rows are generated inside the database (synthetic-database.ts), then the Requests
 * page's queries run through lib/storage as the read API runs them. Target: p50/p95 ≤ 50 ms.
 *
 *   tsx tests/bench/requests-query.ts [--rows 1000000] [--runs 20] [--only sqlite|postgres|postgres-partitioned[,…]]
 */
import { parseArgs } from "node:util";
import { percentile, round, writeResult } from "./bench-processes";
import { BASE_EPOCH_S, SPACING_S, withSyntheticDatabase, type SyntheticDatabaseKind } from "./synthetic-database";

const { values } = parseArgs({
  options: { rows: { type: "string", default: "1000000" }, runs: { type: "string", default: "20" }, only: { type: "string" } },
});
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);

async function measure(kind: string): Promise<Record<string, unknown>[]> {
  const { listRequests } = await import("../../lib/storage/requests");
  const { getDb } = await import("../../lib/storage/db");
  const organizationId = (await getDb().organization.findFirstOrThrow()).id;
  const middle = new Date((BASE_EPOCH_S + (ROWS / 2) * SPACING_S) * 1000);
  const hourLater = new Date(middle.getTime() + 3_600_000);
  const base = { organizationId, limit: 51 };
  const queries: Record<string, Parameters<typeof listRequests>[0]> = {
    "newest page": base,
    "model = gpt-4": { ...base, model: "gpt-4" },
    "property step = step-7": { ...base, properties: { step: "step-7" } },
    "time range (1 h)": { ...base, from: middle, to: hourLater },
    "status error": { ...base, status: "error" },
    "model + property + range": { ...base, model: "gpt-4", properties: { env: "prod" }, from: middle, to: new Date(middle.getTime() + 86_400_000) },
    "user": { ...base, userId: "user-42" },
  };
  const firstPage = await listRequests(base);
  let cursorRow = firstPage.at(-1)!;
  for (let page = 0; page < 20; page++) cursorRow = (await listRequests({ ...base, after: cursorRow })).at(-1)!;
  queries["page 21 (cursor)"] = { ...base, after: cursorRow };

  const results: Record<string, unknown>[] = [];
  for (const [name, filter] of Object.entries(queries)) {
    await listRequests(filter);
    const samples: number[] = [];
    let rows = 0;
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      rows = (await listRequests(filter)).length;
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    results.push({ database: kind, query: name, rows, "p50 ms": round(percentile(samples, 50)), "p95 ms": round(percentile(samples, 95)) });
  }
  return results;
}

async function benchDatabase(kind: SyntheticDatabaseKind): Promise<Record<string, unknown>[]> {
  // The Requests page reads no Insights rollups: not built, which saves minutes a database.
  return withSyntheticDatabase(kind, ROWS, () => measure(kind), { rollups: false });
}

/** Each query on partitioned PostgreSQL against plain PostgreSQL, when both ran. */
function sideBySide(results: Record<string, unknown>[]): Record<string, unknown>[] {
  const of = (database: string, query: unknown) => results.find((r) => r.database === database && r.query === query);
  return results
    .filter((r) => r.database === "postgres" && of("postgres-partitioned", r.query))
    .map((plain) => {
      const partitioned = of("postgres-partitioned", plain.query)!;
      return {
        query: plain.query,
        "plain p50 ms": plain["p50 ms"],
        "partitioned p50 ms": partitioned["p50 ms"],
        "plain p95 ms": plain["p95 ms"],
        "partitioned p95 ms": partitioned["p95 ms"],
        "p50 ratio": round((partitioned["p50 ms"] as number) / (plain["p50 ms"] as number)),
      };
    });
}

{
  const kinds = (values.only ? values.only.split(",") : ["sqlite", "postgres", "postgres-partitioned"]) as SyntheticDatabaseKind[];
  const results: Record<string, unknown>[] = [];
  for (const kind of kinds) results.push(...(await benchDatabase(kind)));
  console.table(results);
  const worst = Math.max(...results.map((r) => r["p95 ms"] as number));
  console.log(`worst p95: ${worst} ms (target ≤ 50 ms)`);
  const compared = sideBySide(results);
  if (compared.length > 0) console.table(compared);
  console.log(`wrote ${writeResult("requests-query", { rows: ROWS, runs: RUNS, results, partitionedVsPlain: compared })}`);
}
