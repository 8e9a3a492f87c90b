/**
 * Ingest into PostgreSQL with the request tables partitioned by day against plain tables: batches
 * of 500 logged requests (the log writer's batch) saved through the one write path
 * (saveLoggedRequests: requests, bodies, properties, the Insights rollups, in one transaction),
 * rows/s. Both databases are written in alternate rounds, so that the load of a shared machine
 * falls on both alike. Start times are spread over the last hours, so the partitioned rows land
 * in today's partitions as live traffic does (not in the default partition).
 *
 *   tsx tests/bench/partitioned-ingest.ts [--rows 50000] [--batch 500] [--rounds 5]
 *
 * measurePartitionedIngest is exported for the scale bench.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import type { LoggedRequest } from "../../lib/domain/logged-request";
import { round, writeResult } from "./bench-processes";
import { syntheticRequest } from "./synthetic-requests";

export interface PartitionedIngestResult {
  layout: "plain" | "partitioned";
  rows: number;
  "rows/s": number;
  "ms per batch": number;
}

type Layout = PartitionedIngestResult["layout"];

/** Traffic as the log writer sees it: traced agent steps with bodies, properties, users and sessions. */
function batchOf(organizationId: string, size: number, nowMs: number): LoggedRequest[] {
  const traceId = randomUUID();
  return Array.from({ length: size }, (_, i) =>
    syntheticRequest(organizationId, {
      startTime: new Date(nowMs - Math.floor(Math.random() * 3 * 3_600_000)),
      model: i % 3 === 0 ? "gpt-4o" : "gpt-4o-mini",
      status: i % 20 === 0 ? 500 : 200,
      traceId: `${traceId}-${Math.floor(i / 10)}`,
      nodeId: `${traceId}-${Math.floor(i / 10)}:step${i % 10}`,
      sessionId: `session-${i % 50}`,
      userId: `user-${i % 200}`,
      properties: { env: i % 3 ? "prod" : "dev", feature: `feature-${i % 8}` },
      requestBody: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: `Plan step ${i}: ${"lorem ipsum ".repeat(20)}` }] }),
      responseBody: JSON.stringify({ choices: [{ message: { role: "assistant", content: `${"dolor sit amet ".repeat(30)}` } }], usage: { prompt_tokens: 120, completion_tokens: 40 } }),
    }),
  );
}

export async function measurePartitionedIngest({ rows = 50_000, batch = 500, rounds = 5 } = {}): Promise<PartitionedIngestResult[]> {
  const { createPostgresTestDatabase } = await import("../helpers/test-databases");
  const { reloadConfig } = await import("../../lib/shared/config");
  const { closeDb } = await import("../../lib/storage/db");
  const databases = {
    plain: await createPostgresTestDatabase({ partitioned: false }),
    partitioned: await createPostgresTestDatabase(),
  };
  const pointStorageAt = (layout: Layout) => {
    process.env.DATABASE_URL = databases[layout].url;
    reloadConfig();
  };
  const organizations = {} as Record<Layout, string>;
  const spent = { plain: 0, partitioned: 0 };
  const written = { plain: 0, partitioned: 0 };
  try {
    const { ensureFirstStart } = await import("../../lib/auth/first-start");
    const { saveLoggedRequests } = await import("../../lib/storage/request-rows");
    for (const layout of ["plain", "partitioned"] as const) {
      pointStorageAt(layout);
      organizations[layout] = (await ensureFirstStart({})).organizationId;
      await saveLoggedRequests(batchOf(organizations[layout], batch, Date.now())); // warm-up: connections, statements
      await closeDb();
    }
    const batchesPerRound = Math.max(1, Math.round(rows / batch / rounds));
    for (let r = 0; r < rounds; r++) {
      for (const layout of ["plain", "partitioned"] as const) {
        pointStorageAt(layout);
        // the write pool follows DATABASE_URL: its new connection is made before the clock starts
        await saveLoggedRequests(batchOf(organizations[layout], 1, Date.now()));
        const batches = Array.from({ length: batchesPerRound }, () => batchOf(organizations[layout], batch, Date.now()));
        const started = performance.now();
        for (const records of batches) await saveLoggedRequests(records);
        spent[layout] += performance.now() - started;
        written[layout] += batchesPerRound * batch;
        await closeDb();
      }
    }
  } finally {
    await closeDb();
    // Dropped WITH (FORCE): the write pool's idle connections go with them.
    for (const database of Object.values(databases)) await database.cleanup();
  }
  return (["plain", "partitioned"] as const).map((layout) => ({
    layout,
    rows: written[layout],
    "rows/s": Math.round((written[layout] / spent[layout]) * 1000),
    "ms per batch": round(spent[layout] / (written[layout] / batch)),
  }));
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const { values } = parseArgs({ options: { rows: { type: "string", default: "50000" }, batch: { type: "string", default: "500" }, rounds: { type: "string", default: "5" } } });
  const options = { rows: Number(values.rows), batch: Number(values.batch), rounds: Number(values.rounds) };
  const results = await measurePartitionedIngest(options);
  console.table(results);
  const [plain, partitioned] = results;
  console.log(`partitioned / plain: ${round(partitioned!["rows/s"] / plain!["rows/s"])} of the rows/s`);
  console.log(`wrote ${writeResult("partitioned-ingest", { ...options, results })}`);
}
