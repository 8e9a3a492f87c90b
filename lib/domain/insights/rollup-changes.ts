import { LatencySketch } from "./latency-sketch";
import type { PicoUsd } from "../money";
import { addCounters, countersChange, negatedCounters, recordCounters, zeroCounters, type MetricsCounters, type MetricsRecord } from "./metrics-aggregate";
import { idHash, Presence } from "./presence";

/**
 * What a write changes in the Insights rollups: totals kept per organization, UTC hour and slice
 * (MetricsRollup) and the ids seen there (MetricsPresence), so that a month of metrics reads a
 * few thousand rows instead of a million. Pure: storage computes these changes for the requests a
 * write really stored (a replayed one is skipped, so never counted twice) and for stored requests
 * that changed, and adds them to the kept rows in the write's own transaction.
 *
 * A slice is a facet with its value, and the request's model, provider and status: the facet ""
 * (value "") holds every request once; the facet `property.<key>` holds, per value, the requests
 * that have that property; `userId` and `sessionId` per user and session. So a filter on model, provider or status and at most one property, grouped
 * by model, provider, status or that property's values, reads only kept rows.
 */
export const HOUR_MS = 3_600_000;
export const ALL_REQUESTS_FACET = "";
/**
 * Facets are named as the metrics API names the dimension: `property.<key>`, `userId`,
 * `sessionId`. The users' and sessions' are kept per UTC day only, in one row per value (not
 * split by model, provider and status) and without presence: they are many, and split by the
 * hour or by model they would be nearly as many rows as the requests. A slice that filters or
 * groups them by model, provider or status (or counts their distinct ids) reads the raw rows.
 */
export const USER_FACET = "userId";
export const SESSION_FACET = "sessionId";
export const propertyFacet = (key: string) => `property.${key}`;
export const isIdFacet = (facet: string) => facet === USER_FACET || facet === SESSION_FACET;

export const hourOf = (timeMs: number) => Math.floor(timeMs / HOUR_MS);

/**
 * What a kept row covers, in hours: an hour, or a UTC day (the sum of its hours), which a long
 * range reads instead of 24 rows.
 */
export const SPANS = [1, 24] as const;
export type Span = (typeof SPANS)[number];

/** The spans a facet's rows are kept for. */
export const spansOf = (facet: string): readonly Span[] => (isIdFacet(facet) ? DAY_ONLY : SPANS);
const DAY_ONLY = [24] as const;

/** The first hour of the span-long piece of time that holds `hour`. */
export const firstHourOf = (hour: number, span: Span) => Math.floor(hour / span) * span;

/** A kept row's key beside the organization and hour. */
export interface RollupSlice {
  facet: string;
  facetValue: string;
  model: string | null;
  provider: string;
  status: number;
}

/** The part of the key that holds model, provider and status (model may be null). */
export const groupKeyOf = (slice: Pick<RollupSlice, "model" | "provider" | "status">) => JSON.stringify([slice.model, slice.provider, slice.status]);

/** A request as the rollups read it: its metrics record and its organization. */
export interface RollupRecord extends MetricsRecord {
  organizationId: string;
}

export interface RollupRowChange {
  organizationId: string;
  hour: number;
  slice: RollupSlice;
  counters: MetricsCounters;
  /** null when only counters change (a stored request's latency never does) */
  latencyMs: LatencySketch | null;
  timeToFirstTokenMs: LatencySketch | null;
  /** values taken out (removeRecord: retention deleted their requests); null when none */
  removedLatencyMs: LatencySketch | null;
  removedTimeToFirstTokenMs: LatencySketch | null;
}

export interface PresenceChange {
  organizationId: string;
  hour: number;
  facet: string;
  facetValue: string;
  presence: Presence;
}

export class RollupChanges {
  readonly rows = new Map<string, RollupRowChange>();
  readonly presence = new Map<string, PresenceChange>();

  get isEmpty(): boolean {
    return this.rows.size === 0 && this.presence.size === 0;
  }

  /** A request stored for the first time. */
  addRecord(record: RollupRecord): void {
    const counters = recordCounters(record);
    for (const [facet, facetValue] of facetsOf(record)) {
      const row = this.rowFor(record, facet, facetValue, true);
      addCounters(row.counters, counters);
      row.latencyMs!.add(record.latencyMs);
      if (record.timeToFirstTokenMs !== null) row.timeToFirstTokenMs!.add(record.timeToFirstTokenMs);
    }
    this.addPresence(record, counters.costPicoUsd);
  }

  /**
   * A stored request deleted (retention): what addRecord added to its rows taken out again
   * (counters and sketch bins subtract exactly). Its ids stay in the presence sets: an id does not
   * subtract (another request of the hour may hold it), so retention counts the presence of the
   * hours it cuts into again from the requests left (lib/storage/retention-steps.ts).
   */
  removeRecord(record: RollupRecord): void {
    const counters = negatedCounters(recordCounters(record));
    for (const [facet, facetValue] of facetsOf(record)) {
      const row = this.rowFor(record, facet, facetValue, false);
      addCounters(row.counters, counters);
      (row.removedLatencyMs ??= LatencySketch.empty()).add(record.latencyMs);
      row.removedTimeToFirstTokenMs ??= LatencySketch.empty();
      if (record.timeToFirstTokenMs !== null) row.removedTimeToFirstTokenMs.add(record.timeToFirstTokenMs);
    }
  }

  /** The ids a request adds to its hour's presence sets (what addRecord adds there), with what it costs its trace. */
  addPresence(record: RollupRecord, costPicoUsd: PicoUsd = recordCounters(record).costPicoUsd): void {
    const hashes = { trace: record.traceId === null ? null : idHash(record.traceId), user: record.userId === null ? null : idHash(record.userId), session: record.sessionId === null ? null : idHash(record.sessionId) };
    for (const [facet, facetValue] of facetsOf(record)) {
      if (isIdFacet(facet)) continue;
      const presence = this.presenceFor(record, facet, facetValue);
      if (hashes.trace !== null) presence.addTrace(hashes.trace, costPicoUsd);
      if (hashes.user !== null) presence.users.add(hashes.user);
      if (hashes.session !== null) presence.sessions.add(hashes.session);
    }
  }

  /**
   * A stored request that changed after it was counted (a later retry replaced it; it became a
   * usage roll-up). Slice, latency and ids never change after the write; counters and the
   * trace's cost may.
   */
  changeRecord(before: RollupRecord, after: RollupRecord): void {
    const change = countersChange(before, after);
    if (Object.values(change).every((value) => value === 0 || value === 0n)) return;
    for (const [facet, facetValue] of facetsOf(after)) {
      addCounters(this.rowFor(after, facet, facetValue, false).counters, change);
      if (!isIdFacet(facet) && after.traceId !== null && change.costPicoUsd !== 0n) this.presenceFor(after, facet, facetValue).addTrace(idHash(after.traceId), change.costPicoUsd);
    }
  }

  private rowFor(record: RollupRecord, facet: string, facetValue: string, withSketches: boolean): RollupRowChange {
    const hour = hourOf(record.startMs);
    // A user's or session's rows are not split by model, provider and status (see USER_FACET).
    const slice: RollupSlice = isIdFacet(facet)
      ? { facet, facetValue, model: null, provider: "", status: 0 }
      : { facet, facetValue, model: record.model, provider: record.provider, status: record.status };
    const key = `${record.organizationId}\u0000${hour}\u0000${facet}\u0000${facetValue}\u0000${groupKeyOf(slice)}`;
    let row = this.rows.get(key);
    if (!row) {
      row = { organizationId: record.organizationId, hour, slice, counters: zeroCounters(), latencyMs: null, timeToFirstTokenMs: null, removedLatencyMs: null, removedTimeToFirstTokenMs: null };
      this.rows.set(key, row);
    }
    if (withSketches && !row.latencyMs) {
      row.latencyMs = LatencySketch.empty();
      row.timeToFirstTokenMs = LatencySketch.empty();
    }
    return row;
  }

  private presenceFor(record: RollupRecord, facet: string, facetValue: string): Presence {
    const hour = hourOf(record.startMs);
    const key = `${record.organizationId}\u0000${hour}\u0000${facet}\u0000${facetValue}`;
    let change = this.presence.get(key);
    if (!change) this.presence.set(key, (change = { organizationId: record.organizationId, hour, facet, facetValue, presence: new Presence() }));
    return change.presence;
  }
}

/** The facets a request is counted in: all requests, one per property it has, its user and its session. */
function facetsOf(record: MetricsRecord): Array<[string, string]> {
  const facets: Array<[string, string]> = [[ALL_REQUESTS_FACET, ""]];
  for (const key in record.properties) facets.push([propertyFacet(key), record.properties[key]!]);
  if (record.userId !== null) facets.push([USER_FACET, record.userId]);
  if (record.sessionId !== null) facets.push([SESSION_FACET, record.sessionId]);
  return facets;
}

