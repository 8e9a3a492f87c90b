// The Insights rollups' oracles, for the storage tests that change requests (writes, retention):
// random requests shaped to meet every rollup path, every metrics answer for several slices, and
// the kept rollup rows as comparable values. The storage modules are imported lazily, once the
// test has pointed DATABASE_URL at its database.
import fc from "fast-check";
import type { LoggedRequest } from "../../lib/domain/logged-request";
import { toFigures, toSummary } from "../../lib/domain/insights/metrics-aggregate";
import { planBuckets } from "../../lib/domain/insights/time-buckets";
import { topRows } from "../../lib/domain/insights/top-groups";
import { syntheticRequest } from "../bench/synthetic-requests";

export const HOUR = 3_600_000;
export const BASE = Date.UTC(2026, 2, 1);

/** Requests within [BASE, BASE + 80 h): retries on trace nodes, properties, users, sessions, failures, unknown prices. */
export const recordArbitrary = (organizationId: string) =>
  fc
    .record({
      offsetMs: fc.integer({ min: 0, max: 80 * HOUR }),
      latencyMs: fc.integer({ min: 0, max: 90_000 }),
      firstTokenMs: fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: null }),
      status: fc.constantFrom(200, 200, 201, 429, 500, 0),
      cancelled: fc.boolean(),
      model: fc.constantFrom("gpt-4o-mini", "gpt-4o", null),
      provider: fc.constantFrom("openai", "anthropic"),
      costUsd: fc.option(fc.integer({ min: 0, max: 5_000_000 }).map((micro) => micro / 1e6), { nil: null }),
      node: fc.option(fc.tuple(fc.constantFrom("t1", "t2", "t3"), fc.constantFrom("t:a", "t:a:b")), { nil: null }),
      user: fc.option(fc.constantFrom("ann", "bob"), { nil: null }),
      session: fc.option(fc.constantFrom("s1", "s2"), { nil: null }),
      env: fc.option(fc.constantFrom("prod", "dev"), { nil: null }),
      team: fc.option(fc.constantFrom("red", "blue"), { nil: null }),
    })
    .map((r): LoggedRequest => {
      const start = new Date(BASE + r.offsetMs);
      const properties: Record<string, string> = {};
      if (r.env) properties.env = r.env;
      if (r.team) properties.team = r.team;
      return syntheticRequest(organizationId, {
        startTime: start,
        endTime: new Date(start.getTime() + r.latencyMs),
        latencyMs: r.latencyMs,
        timeToFirstTokenMs: r.firstTokenMs,
        status: r.status,
        cancelled: r.cancelled,
        model: r.model,
        provider: r.provider,
        costUsd: r.costUsd,
        costUnknown: r.costUsd === null,
        traceId: r.node ? r.node[0] : null,
        nodeId: r.node ? `${r.node[0]}:${r.node[1]}` : null,
        userId: r.user,
        sessionId: r.session,
        properties,
      });
    });

/** Every answer the metrics give over [from, before), for several slices and groupings. */
export async function metricsAnswers(organizationId: string, from: Date, before: Date): Promise<unknown[]> {
  const metrics = await import("../../lib/storage/metrics");
  const slices: import("../../lib/storage/metrics").MetricsSlice[] = [
    { organizationId, from, before },
    { organizationId, from, before, properties: { env: "prod" } },
    { organizationId, from, before, model: "gpt-4o", status: "ok" as const },
    { organizationId, from, before, status: "error" as const, properties: { team: "red" } },
    { organizationId, from, before, userId: "ann" },
    { organizationId, from, before, sessionId: "s1", provider: "openai" },
  ];
  const results: unknown[] = [];
  for (const slice of slices) {
    const { aggregate, distinct } = await metrics.summarizeRequests(slice);
    results.push(toSummary(aggregate, distinct));
    const dimensions = [{ kind: "model" }, { kind: "status" }, { kind: "property", key: "team" }, { kind: "property", key: "env" }, { kind: "userId" }, { kind: "sessionId" }] as const;
    for (const dimension of dimensions) {
      // what the top endpoint reports of each group (its figures; wasted cost beside them)
      const groups = await metrics.aggregateRequestsBy(slice, dimension);
      // the top endpoint's ranking, from counters first when a facet has many values
      for (const order of ["cost", "requests"] as const) results.push(topRows(await metrics.aggregateTopCandidates(slice, dimension, order, 2), order, 2));
      results.push([...groups].sort(([a], [b]) => String(a).localeCompare(String(b))).map(([key, aggregate]) => [key, toFigures(aggregate), aggregate.wastedCostPicoUsd]));
      for (const interval of ["hour", "day"] as const) {
        const plan = planBuckets(from.getTime(), before.getTime(), interval);
        if (!plan.ok) throw new Error(plan.reason);
        results.push((await metrics.requestTimeseries(slice, plan.plan, dimension)).timeseries());
      }
    }
  }
  return results;
}

/** `read` with the rollups marked unbuilt, so that the metrics read the raw rows alone. */
export async function withoutRollups<T>(read: () => Promise<T>): Promise<T> {
  const { getDb } = await import("../../lib/storage/db");
  const reads = await import("../../lib/storage/metrics-rollup-reads");
  await getDb().metricsRollupState.deleteMany({});
  reads.forgetRollupsBuilt();
  try {
    return await read();
  } finally {
    await getDb().metricsRollupState.create({ data: { id: 1, builtAt: new Date() } });
    reads.forgetRollupsBuilt();
  }
}

/** Every kept rollup row and presence set, decoded and in one order, as comparable values. */
export async function keptRollups() {
  const { getDb } = await import("../../lib/storage/db");
  const { Presence } = await import("../../lib/domain/insights/presence");
  const rows = (await getDb().metricsRollup.findMany()).map((row) => ({ ...row, latencySketch: Buffer.from(row.latencySketch).toString("hex"), firstTokenSketch: Buffer.from(row.firstTokenSketch).toString("hex") }));
  const presence = (await getDb().metricsPresence.findMany()).map(({ presence, ...key }) => {
    const decoded = new Presence();
    decoded.mergeEncoded(presence);
    return { ...key, traces: [...decoded.traces].sort(), users: [...decoded.users].sort(), sessions: [...decoded.sessions].sort() };
  });
  const text = (value: object) => JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  const order = (a: object, b: object) => (text(a) < text(b) ? -1 : 1);
  // A kept row nothing is left in (all its requests corrected away) is the same as none.
  return { rows: rows.filter((row) => row.requests > 0).sort(order), presence: presence.sort(order) };
}

/** The kept rollups, then the rollups a rebuild from the stored requests gives: equal when the rollups were kept right. */
export async function keptAndRebuiltRollups() {
  const { buildMetricsRollupsIfNeeded } = await import("../../lib/storage/metrics-rollup-rebuild");
  const kept = await keptRollups();
  await buildMetricsRollupsIfNeeded({ rebuild: true });
  return { kept, rebuilt: await keptRollups() };
}
