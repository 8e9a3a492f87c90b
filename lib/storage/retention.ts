import pg from "pg";
import { HOUR_MS } from "../domain/insights/rollup-changes";
import { effectiveRetentionDays, retentionCut, sharedCutoffMs, type RetentionCut } from "../domain/retention";
import { config } from "../shared/config";
import { processSlot } from "../shared/process-slot";
import { resolveDatabase } from "./database-url";
import { listOrganizationRetention } from "./organizations";
import { createPartitionsAhead, dropPartitionsBefore } from "./partitions";
import { runPostgresRetentionStep, runSqliteRetentionStep, type RetentionStep } from "./retention-steps";

/**
 * One retention run (README: Retention): every organization's requests that started before its
 * cutoff (now − its window: its own setting, else RETENTION_DAYS, else none) are deleted with
 * their bodies and properties, and the Insights rollups lose them too, staying exactly what a
 * rebuild from the requests left would give. Per organization, in this order:
 *
 * 1. the requests of the cutoff's UTC day before the cutoff: deleted a few thousand at a time,
 *    each batch taken out of the day's and its hours' rollup rows in its own transaction;
 * 2. the presence sets (traces, users, sessions) of the hours from the day's start to the cutoff,
 *    and of the day, counted again from the requests left (ids do not subtract);
 * 3. the rollup rows of the days before: dropped whole (nothing in them stays), before their
 *    requests, so the Dashboard stops counting them first;
 * 4. (PostgreSQL) the time partitions that end before every organization's cutoff: dropped whole;
 * 5. the requests of the days before, deleted a few thousand at a time; then step 3 again, for a
 *    late request that arrived meanwhile.
 *
 * Requests older than the window that arrive after a run are stored as usual and go with the
 * next run. Each step is one short transaction and the run waits as long as a step took before
 * the next, so writes always get their turn: on SQLite the steps run on the log writer's write
 * thread between its batches. On PostgreSQL one instance at a time runs (a session advisory
 * lock); the run also creates the time partitions the coming requests need.
 */

/** Runs a step: on SQLite, where the server's writes are (the log writer's write thread). */
export type RetentionStepRunner = (step: RetentionStep) => Promise<number>;

export interface RetentionOptions {
  /** SQLite: where steps run; default this thread's own writing connection (tests, scripts) */
  sqliteSteps?: RetentionStepRunner;
  /** stops the run between two steps (shutting down) */
  signal?: AbortSignal;
}

export interface RetentionRun {
  /** false when another instance holds the run (PostgreSQL); nothing else was done */
  ran: boolean;
  deletedRequests: number;
  createdPartitions: string[];
  droppedPartitions: string[];
}

// Requests per transaction. Taking requests out of the rollups costs about what counting them in
// does, so a step takes out as many as the log writer's largest batch stores (500); a plain
// delete is cheaper per request (its body, its property rows and their index entries: some 3,000
// rows for 1,000 requests). Measured on SQLite (README: Retention): ≈ 30 ms for 1,000 requests
// on an idle machine, 160 ms (p50) beside a custom-log load on a busy one.
const TAKEN_OUT_PER_STEP = 500;
const REQUESTS_PER_STEP = 1_000;
// Rollup rows are smaller than requests with their bodies.
const ROLLUP_ROWS_PER_STEP = 5_000;

/** One run at `now`. Throws when a step fails (the schedule tries again later); whatever finished stays done. */
export async function runRetention(now: Date, options: RetentionOptions = {}): Promise<RetentionRun> {
  const defaultDays = config().RETENTION_DAYS ?? null;
  const organizations = (await listOrganizationRetention()).map(({ id, retentionDays }) => ({
    organizationId: id,
    cut: retentionCut(now.getTime(), effectiveRetentionDays(retentionDays, defaultDays)),
  }));
  const database = resolveDatabase();
  if (database.kind === "sqlite") {
    const steps = pacedSteps(options.sqliteSteps ?? (async (step) => runSqliteRetentionStep(step)), options.signal);
    const deletedRequests = await cutOrganizations(organizations, steps, async () => {});
    return { ran: true, deletedRequests, createdPartitions: [], droppedPartitions: [] };
  }
  return withRunLock(database.url, async (client) => {
    const createdPartitions = await createPartitionsAhead(database.url, now);
    const steps = pacedSteps((step) => runPostgresRetentionStep(client, step), options.signal);
    let droppedPartitions: string[] = [];
    const deletedRequests = await cutOrganizations(organizations, steps, async () => {
      const cutoffMs = sharedCutoffMs(organizations.map(({ cut }) => cut));
      if (cutoffMs !== null) droppedPartitions = await dropPartitionsBefore(database.url, new Date(cutoffMs));
    });
    return { ran: true, deletedRequests, createdPartitions, droppedPartitions };
  });
}

/** Steps 1–5 above for every organization with a window; `betweenPhases` is step 4. Resolves with the requests deleted. */
async function cutOrganizations(
  organizations: ReadonlyArray<{ organizationId: string; cut: RetentionCut | null }>,
  step: RetentionStepRunner,
  betweenPhases: () => Promise<void>,
): Promise<number> {
  let deleted = 0;
  const repeat = async (make: () => RetentionStep, limit: number) => {
    let total = 0;
    for (let done = limit; done === limit; total += done) done = await step(make());
    return total;
  };
  const dropOldRollups = (organizationId: string, cut: RetentionCut) =>
    repeat(() => ({ kind: "dropRollupHours", organizationId, beforeHour: cut.dayStartMs / HOUR_MS, limit: ROLLUP_ROWS_PER_STEP }), ROLLUP_ROWS_PER_STEP);

  for (const { organizationId, cut } of organizations) {
    if (!cut) continue;
    const takenOut = await repeat(
      () => ({ kind: "takeOutRequests", organizationId, fromMs: cut.dayStartMs, beforeMs: cut.cutoffMs, limit: TAKEN_OUT_PER_STEP }),
      TAKEN_OUT_PER_STEP,
    );
    if (takenOut > 0) await step({ kind: "recountPresence", organizationId, cut });
    await dropOldRollups(organizationId, cut);
    deleted += takenOut;
  }
  await betweenPhases();
  for (const { organizationId, cut } of organizations) {
    if (!cut) continue;
    deleted += await repeat(() => ({ kind: "deleteRequests", organizationId, beforeMs: cut.dayStartMs, limit: REQUESTS_PER_STEP }), REQUESTS_PER_STEP);
    await dropOldRollups(organizationId, cut);
  }
  return deleted;
}

/**
 * Each step followed by a pause as long as it took: retention then holds the database (SQLite's
 * one writer) at most half the time, and a batch of logs that queued behind a step goes before
 * the next one.
 */
function pacedSteps(run: RetentionStepRunner, signal: AbortSignal | undefined): RetentionStepRunner {
  return async (step) => {
    signal?.throwIfAborted();
    const started = performance.now();
    const result = await run(step);
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, performance.now() - started)));
    return result;
  };
}

// ---------------------------------------------------------------- PostgreSQL: one instance at a time

const poolSlot = processSlot<{ url: string; pool: pg.Pool }>("storage.retention-pool");

/** Retention's one connection: its session holds the run's advisory lock. */
function retentionPool(url: string): pg.Pool {
  if (poolSlot.value?.url === url) return poolSlot.value.pool;
  void poolSlot.value?.pool.end();
  const pool = new pg.Pool({
    connectionString: url,
    max: 1,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    // A writer holding a rollup row a step needs commits in milliseconds; a rollup rebuild holding
    // the requests may take minutes, and the run is better tried again later.
    lock_timeout: 10_000,
    statement_timeout: 300_000,
    application_name: "tracewell-retention",
    allowExitOnIdle: true,
  });
  pool.on("error", () => {});
  poolSlot.value = { url, pool };
  return pool;
}

export async function closeRetentionPool(): Promise<void> {
  const pool = poolSlot.value;
  poolSlot.value = undefined;
  await pool?.pool.end();
}

// The two-key form: its keys never meet the one-key locks the rollups take per trace node.
const RUN_LOCK = `hashtext('tracewell'), hashtext('retention')`;

/** `run` while holding the retention lock of this database; another instance holding it: nothing is done. */
async function withRunLock(url: string, run: (client: pg.PoolClient) => Promise<RetentionRun>): Promise<RetentionRun> {
  const client = await retentionPool(url).connect();
  let broken: Error | undefined;
  try {
    const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${RUN_LOCK}) AS locked`);
    if (!rows[0]!.locked) return { ran: false, deletedRequests: 0, createdPartitions: [], droppedPartitions: [] };
    try {
      return await run(client);
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${RUN_LOCK})`).catch((error: Error) => (broken = error));
    }
  } catch (error) {
    broken ??= error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // A connection that failed mid-run is dropped, and its session's lock with it.
    client.release(broken);
  }
}
