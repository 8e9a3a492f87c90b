import type { PicoUsd } from "../money";
import { costPerTraceQuantiles, type DistinctFigures, type MetricsRecord } from "./metrics-aggregate";

/**
 * The summary's figures that need the slice's ids (DistinctFigures), gathered one request at a
 * time: each trace, user and session counted once, and each trace's cost summed over its requests
 * in the slice (a trace whose requests cost nothing counts as a trace costing 0). Memory grows
 * with the number of distinct ids, not of requests.
 */
export class DistinctFiguresAccumulator {
  private readonly traceCosts = new Map<string, PicoUsd>();
  private readonly users = new Set<string>();
  private readonly sessions = new Set<string>();

  /** `costPicoUsd`: what the request adds to the cost total (recordCounters' costPicoUsd). */
  add(record: Pick<MetricsRecord, "traceId" | "userId" | "sessionId">, costPicoUsd: PicoUsd): void {
    if (record.traceId !== null) this.traceCosts.set(record.traceId, (this.traceCosts.get(record.traceId) ?? 0n) + costPicoUsd);
    if (record.userId !== null) this.users.add(record.userId);
    if (record.sessionId !== null) this.sessions.add(record.sessionId);
  }

  figures(): DistinctFigures {
    return {
      traces: this.traceCosts.size,
      users: this.users.size,
      sessions: this.sessions.size,
      costPerTrace: costPerTraceQuantiles([...this.traceCosts.values()]),
    };
  }
}
