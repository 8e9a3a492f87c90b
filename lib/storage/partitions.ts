/**
 * Time partitioning of the request tables on PostgreSQL (issue 15). SQLite has no partitions:
 * every function here does nothing there.
 *
 * The interface the rest of storage uses; its bodies are filled in with the partitioned layout.
 */

/** Makes sure the request tables are partitioned by time (an unpartitioned database is taken over without losing a row). */
export async function ensurePartitionedLayout(_url: string): Promise<void> {}

/** Creates the partitions that requests starting up to `aheadUntil` will need. */
export async function createPartitionsAhead(_url: string, _now: Date): Promise<string[]> {
  return [];
}

/**
 * Drops every partition whose whole time range ends at or before `cutoff` (retention); returns the
 * names dropped. Rows older than `cutoff` in a partition that straddles it are left to the caller.
 */
export async function dropPartitionsBefore(_url: string, _cutoff: Date): Promise<string[]> {
  return [];
}
