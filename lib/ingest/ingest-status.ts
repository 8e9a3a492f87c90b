import type { LogWriterStats } from "./log-writer";

// On globalThis: the log writer lives in the custom server's copy of lib/ingest, while
// /api/health is served from Next's bundle, which loads its own copy of every module.
const holder = globalThis as { tracewellLogWriterStats?: () => LogWriterStats };

export function publishLogWriterStats(read: () => LogWriterStats): void {
  holder.tracewellLogWriterStats = read;
}

/** The running log writer's counters, or null when this process serves no ingest traffic. */
export function readLogWriterStats(): LogWriterStats | null {
  return holder.tracewellLogWriterStats?.() ?? null;
}
