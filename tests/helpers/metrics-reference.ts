/**
 * The Insights metrics computed the slow, obvious way, straight from a list of stored requests:
 * the reference that aggregates, rollups and the metrics API are checked against. It shares no
 * code with lib/domain/insights (only types): costs are summed as decimal text, percentiles come
 * from sorting, "replaced" is found by comparing every pair of attempts, buckets by scanning.
 */
import type { MetricsRecord } from "@/lib/domain/insights/metrics-aggregate";

/** A stored request as the reference reads it: what the metrics read, plus its id and node. */
export interface ReferenceRow extends Omit<MetricsRecord, "replaced"> {
  id: string;
  nodeId: string | null;
}

export interface ReferenceFigures {
  requests: number;
  errors: number;
  costPico: bigint;
  costComplete: boolean;
  promptTokens: number;
  completionTokens: number;
  /** exact values at rank ⌊q·(n − 1)⌋ */
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
}

export interface ReferenceSummary extends ReferenceFigures {
  timeToFirstTokenMs: { p50: number | null; p95: number | null };
  traces: number;
  users: number;
  sessions: number;
  costPerTrace: { p50Pico: bigint | null; p95Pico: bigint | null };
  wastedCostPico: bigint;
}

export function inRange(rows: readonly ReferenceRow[], fromMs: number, toMs: number): ReferenceRow[] {
  return rows.filter((row) => row.startMs >= fromMs && row.startMs < toMs);
}

/** Whole pico-dollars from the cost's decimal text (a stored cost has at most 12 decimals). */
export function picoOf(usd: number): bigint {
  const [whole, fraction = ""] = usd.toFixed(12).split(".");
  return BigInt(whole! + fraction.padEnd(12, "0"));
}

export function exactQuantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

function isError(row: ReferenceRow): boolean {
  return row.status < 200 || row.status >= 300;
}

function costPico(row: ReferenceRow): bigint {
  return row.usageRollup || row.costUsd === null ? 0n : picoOf(row.costUsd);
}

/** Another attempt on the same trace node started later (or at the same time with a larger id). */
export function isReplaced(row: ReferenceRow, allRows: readonly ReferenceRow[]): boolean {
  if (row.traceId === null || row.nodeId === null) return false;
  return allRows.some(
    (other) =>
      other.id !== row.id &&
      other.traceId === row.traceId &&
      other.nodeId === row.nodeId &&
      (other.startMs > row.startMs || (other.startMs === row.startMs && other.id > row.id)),
  );
}

export function referenceFigures(rows: readonly ReferenceRow[]): ReferenceFigures {
  const latencies = rows.map((row) => Math.max(0, row.latencyMs));
  const priced = rows.filter((row) => !row.usageRollup);
  return {
    requests: rows.length,
    errors: rows.filter(isError).length,
    costPico: rows.reduce((sum, row) => sum + costPico(row), 0n),
    costComplete: priced.every((row) => !row.costUnknown && row.costUsd !== null),
    promptTokens: priced.reduce((sum, row) => sum + (row.promptTokens ?? 0), 0),
    completionTokens: priced.reduce((sum, row) => sum + (row.completionTokens ?? 0), 0),
    latencyMs: { p50: exactQuantile(latencies, 0.5), p95: exactQuantile(latencies, 0.95), p99: exactQuantile(latencies, 0.99) },
  };
}

/**
 * `rows` are the slice (range and filters applied); `allRows` every stored request, because a
 * retry that replaced an attempt in the slice may itself be outside it.
 */
export function referenceSummary(rows: readonly ReferenceRow[], allRows: readonly ReferenceRow[]): ReferenceSummary {
  const firstTokens = rows.flatMap((row) => (row.timeToFirstTokenMs === null ? [] : [Math.max(0, row.timeToFirstTokenMs)]));
  const traceCosts = new Map<string, bigint>();
  for (const row of rows) if (row.traceId !== null) traceCosts.set(row.traceId, (traceCosts.get(row.traceId) ?? 0n) + costPico(row));
  const sortedTraceCosts = [...traceCosts.values()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const traceCostAt = (q: number) => (sortedTraceCosts.length === 0 ? null : sortedTraceCosts[Math.floor(q * (sortedTraceCosts.length - 1))]!);
  const distinct = (pick: (row: ReferenceRow) => string | null) => new Set(rows.map(pick).filter((id) => id !== null)).size;
  return {
    ...referenceFigures(rows),
    timeToFirstTokenMs: { p50: exactQuantile(firstTokens, 0.5), p95: exactQuantile(firstTokens, 0.95) },
    traces: distinct((row) => row.traceId),
    users: distinct((row) => row.userId),
    sessions: distinct((row) => row.sessionId),
    costPerTrace: { p50Pico: traceCostAt(0.5), p95Pico: traceCostAt(0.95) },
    wastedCostPico: rows
      .filter((row) => isError(row) || row.cancelled || isReplaced(row, allRows))
      .reduce((sum, row) => sum + costPico(row), 0n),
  };
}

const INTERVAL_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** Every UTC-aligned bucket start from the one holding `fromMs` while the bucket begins before `toMs`. */
export function referenceBucketStarts(fromMs: number, toMs: number, interval: keyof typeof INTERVAL_MS): number[] {
  const size = INTERVAL_MS[interval];
  const starts: number[] = [];
  for (let start = fromMs - (((fromMs % size) + size) % size); start < toMs; start += size) starts.push(start);
  return starts;
}

/** `groupBy` as the API spells it: model, provider, status, userId, sessionId or property.<key>. */
export function referenceGroupValue(row: ReferenceRow, groupBy: string): string | null {
  if (groupBy.startsWith("property.")) return row.properties[groupBy.slice("property.".length).toLowerCase()] ?? null;
  if (groupBy === "status") return String(row.status);
  return row[groupBy as "model" | "provider" | "userId" | "sessionId"];
}

export function referenceGroups(rows: readonly ReferenceRow[], groupBy: string): Map<string | null, ReferenceRow[]> {
  const groups = new Map<string | null, ReferenceRow[]>();
  for (const row of rows) {
    const key = referenceGroupValue(row, groupBy);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return groups;
}
