import { liveBus } from "../../live/live-bus";
import type { Config } from "../../shared/config";
import { dataDirectory, resolveDatabase } from "../../storage/database-url";
import { isRefusedData } from "../../storage/storage-errors";
import { publishLogWriterStats } from "../ingest-status";
import { LogSpool, spoolDirectoryFor } from "./log-spool";
import { LogWriter } from "./log-writer";
import { claimSpoolSlot } from "./spool-slot";
import type { LogInput, Unprepared } from "./log-input";
import { saveOnWriteThread, startWriteThread } from "./write-thread";

/**
 * The process's log writer: batches go to the write thread, which normalizes, prices and stores
 * them (whichever the database); during an outage they wait in the spool. Its counters are
 * published for GET /api/health.
 */
export function createLogWriter(config: Config): LogWriter {
  const writer = new LogWriter({
    save: saveAndPublish,
    spool: openSpool(config),
    isRefusedData,
    onError: throttledErrorLog(),
  });
  publishLogWriterStats(() => writer.stats());
  startWriteThread();
  return writer;
}

/**
 * Saves a batch on the write thread, then tells live views (lib/live) what it stored: here, on
 * the main thread, where the write thread's answer means the transaction is committed, so a view
 * told of a request finds it in the read API. Every save passes here: fresh batches, spool
 * replays and the record-by-record retry of a refused batch. (A replayed record that was already
 * stored is told again: a view only fetches the trace again.)
 */
async function saveAndPublish(inputs: LogInput[]): Promise<Unprepared[]> {
  const { unprepared, stored } = await saveOnWriteThread(inputs);
  liveBus().publish(stored);
  return unprepared;
}

/**
 * The log spool, or none when LOG_SPOOL_MAX_BYTES is 0 (logs then wait in memory only). Its
 * directory is this instance's alone until the process exits (spool-slot.ts).
 */
function openSpool(config: Config): LogSpool | undefined {
  if (config.LOG_SPOOL_MAX_BYTES === 0) return undefined;
  const slot = claimSpoolSlot({
    root: spoolDirectoryFor(dataDirectory(), resolveDatabase().url),
    instanceId: config.INSTANCE_ID,
    explicitDirectory: config.LOG_SPOOL_DIR,
  });
  process.once("exit", () => slot.release());
  return new LogSpool(slot.directory, config.LOG_SPOOL_MAX_BYTES);
}

/** Storage errors while the database is down repeat on every retry: say so once per 10 s. */
function throttledErrorLog(): (error: unknown) => void {
  let lastAt = 0;
  return (error) => {
    const now = Date.now();
    if (now - lastAt < 10_000) return;
    lastAt = now;
    console.error("[log-writer] could not store logs, will retry:", error instanceof Error ? error.message : error);
  };
}
