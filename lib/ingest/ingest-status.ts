import { processSlot } from "../shared/process-slot";
import type { LogWriterStats } from "./writer/log-writer";

// A process slot: the log writer lives in the custom server's copy of lib/ingest, while
// /api/health is served from Next's bundle, which loads its own copy of every module.
const stats = processSlot<() => LogWriterStats>("ingest.log-writer-stats");

export function publishLogWriterStats(read: () => LogWriterStats): void {
  stats.value = read;
}

/** The running log writer's counters, or null when this process serves no ingest traffic. */
export function readLogWriterStats(): LogWriterStats | null {
  return stats.value?.() ?? null;
}
