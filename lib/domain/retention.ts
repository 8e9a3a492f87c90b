import { HOUR_MS } from "./insights/rollup-changes";

/**
 * Retention: how long an organization's requests are kept, and where a run cuts. Pure (time is
 * passed in); lib/storage/retention.ts deletes what these say.
 */

/** The longest window a setting may ask for (about a century: any longer is "forever", which is unset). */
export const MAX_RETENTION_DAYS = 36_500;
const DAY_MS = 24 * HOUR_MS;

/** The window an organization keeps, in days: its own override, else the server's default, else null (forever). */
export function effectiveRetentionDays(organizationDays: number | null, defaultDays: number | null | undefined): number | null {
  return organizationDays ?? defaultDays ?? null;
}

/**
 * Where one run cuts an organization's data, in epoch milliseconds: every request that started
 * before `cutoffMs` goes. The Insights rollups are kept per UTC hour and UTC day, so the run also
 * names the day the cutoff falls in (`dayStartMs`, its first hour): rollup rows of earlier days
 * hold only requests that go, and are dropped whole; the requests of [dayStartMs, cutoffMs) are
 * taken out of that day's rows one by one, so they stay exact (lib/storage/retention.ts).
 */
export interface RetentionCut {
  cutoffMs: number;
  /** the start of the UTC day that holds the cutoff (equal to it at midnight) */
  dayStartMs: number;
  /** the start of the UTC hour that holds the cutoff (equal to it on the hour) */
  hourStartMs: number;
}

/** The cut for a window of `days` at `nowMs`; null keeps everything. */
export function retentionCut(nowMs: number, days: number | null): RetentionCut | null {
  if (days === null) return null;
  const cutoffMs = nowMs - days * DAY_MS;
  return { cutoffMs, dayStartMs: Math.floor(cutoffMs / DAY_MS) * DAY_MS, hourStartMs: Math.floor(cutoffMs / HOUR_MS) * HOUR_MS };
}

/**
 * Where storage-wide pieces (PostgreSQL's time partitions, which hold every organization) may be
 * dropped: the earliest of the organizations' cutoffs, or null when any organization keeps
 * everything.
 */
export function sharedCutoffMs(cuts: ReadonlyArray<RetentionCut | null>): number | null {
  let earliest = Infinity;
  for (const cut of cuts) {
    if (cut === null) return null;
    earliest = Math.min(earliest, cut.cutoffMs);
  }
  return Number.isFinite(earliest) ? earliest : null;
}
