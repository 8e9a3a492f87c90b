import { closeRetentionPool, runRetention, type RetentionStepRunner } from "./retention";

/**
 * Runs retention (retention.ts) FIRST_RUN_DELAY_MS after start, then RUN_INTERVAL_MS after each
 * run ends; after a failure (the database away, a lock held by a rollup rebuild) it tries again in
 * RETRY_DELAY_MS. Every 10 minutes rather than hourly: each run then deletes about ten minutes of
 * requests, a steady trickle instead of an hour's burst, requests are gone at most ten minutes
 * after their window ends, and the recount of the hour the cutoff cuts into (retention-steps.ts)
 * stays small. A run with nothing to delete costs a few indexed probes per organization. On
 * PostgreSQL the same run creates the coming time partitions, whether or not anything ages.
 */
const FIRST_RUN_DELAY_MS = 5_000;
const RUN_INTERVAL_MS = 10 * 60_000;
const RETRY_DELAY_MS = 60_000;

export interface RetentionSchedule {
  /** Stops between two steps of a run in progress; resolves once it has. */
  stop(): Promise<void>;
}

export function startRetentionSchedule(options: { sqliteSteps?: RetentionStepRunner } = {}): RetentionSchedule {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  const schedule = (delayMs: number) => {
    timer = setTimeout(() => (running = runOnce()), delayMs);
    // A pending run never keeps the process alive.
    timer.unref();
  };
  const runOnce = async () => {
    const started = performance.now();
    try {
      const run = await runRetention(new Date(), { sqliteSteps: options.sqliteSteps, signal: abort.signal });
      if (run.deletedRequests > 0 || run.droppedPartitions.length > 0) {
        const partitions = run.droppedPartitions.length > 0 ? ` and ${run.droppedPartitions.length} partition(s)` : "";
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        console.log(`Retention: deleted ${run.deletedRequests.toLocaleString("en-US")} requests older than their window${partitions} in ${seconds} s.`);
      }
      if (!abort.signal.aborted) schedule(RUN_INTERVAL_MS);
    } catch (error) {
      if (abort.signal.aborted) return;
      console.error(`Retention run failed; trying again in ${RETRY_DELAY_MS / 1000} s:`, error instanceof Error ? error.message : error);
      schedule(RETRY_DELAY_MS);
    }
  };
  schedule(FIRST_RUN_DELAY_MS);

  return {
    async stop() {
      abort.abort();
      if (timer) clearTimeout(timer);
      await running;
      await closeRetentionPool();
    },
  };
}
