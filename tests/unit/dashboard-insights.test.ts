import { describe, expect, it } from "vitest";
import { formatBucketRange, formatBucketTick, formatCompact, formatCompactUsd } from "@/components/dashboard/chart-format";
import { MAX_GROUP_SERIES, costByModelChart, errorsByStatusChart, latencyChart, requestsChart } from "@/components/dashboard/chart-model";
import { bucketWindow, requestsHref } from "@/components/dashboard/requests-links";
import type { MetricsBucket, MetricsFigures, MetricsTimeseries } from "@/lib/contracts/metrics";
import { dashboardFromSearchParams, dashboardToSearchParams, metricsQuery, resolveWindow } from "@/lib/queries/dashboard-filters";
import { filtersFromSearchParams } from "@/lib/queries/request-filters";

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 24, 12, 30);

describe("the dashboard's view in the URL", () => {
  it("is the last 24 hours by cost when the URL says nothing, and says nothing for those defaults", () => {
    const view = dashboardFromSearchParams(new URLSearchParams(""));
    expect(view).toEqual({ filters: { range: "24h", properties: [] }, rank: "cost" });
    expect(dashboardToSearchParams(view).toString()).toBe("");
  });

  it("takes the Requests page's filters by the same names, plus how to rank and the property to break down", () => {
    const params = new URLSearchParams("range=7d&model=gpt-4o&status=error&userId=u1&sessionId=s1&property.Stage=rag&provider=openai&rank=latencyP95&topProperty=Step");
    const view = dashboardFromSearchParams(params);
    expect(view).toEqual({
      filters: { range: "7d", model: "gpt-4o", status: "error", userId: "u1", sessionId: "s1", properties: [["stage", "rag"]], provider: "openai" },
      rank: "latencyP95",
      topProperty: "step",
    });
    expect(dashboardFromSearchParams(dashboardToSearchParams(view))).toEqual(view);
  });

  it("drops what the metrics cannot honour: body search, a trace id, unknown ranges and ranks, unreadable times", () => {
    const view = dashboardFromSearchParams(new URLSearchParams("search=refund&traceId=t1&range=15m&rank=bogus&from=yesterday"));
    expect(view).toEqual({ filters: { range: "24h", properties: [] }, rank: "cost" });
  });

  it("a custom range wins over a relative one", () => {
    const view = dashboardFromSearchParams(new URLSearchParams("range=1h&from=2026-11-01T00:00:00.000Z&to=2026-11-02T00:00:00.000Z"));
    expect(view.filters.range).toBeUndefined();
    expect(dashboardToSearchParams(view).toString()).toBe("from=2026-11-01T00%3A00%3A00.000Z&to=2026-11-02T00%3A00%3A00.000Z");
  });
});

describe("the window a view stands for", () => {
  it("a relative range ends now; a custom one runs from `from` to `to`, to now without an end, a default range's length back without a start", () => {
    expect(resolveWindow({ range: "1h", properties: [] }, NOW)).toEqual({ fromMs: NOW - HOUR, toMs: NOW });
    expect(resolveWindow({ range: "30d", properties: [] }, NOW)).toEqual({ fromMs: NOW - 30 * 24 * HOUR, toMs: NOW });
    const from = "2026-11-01T00:00:00.000Z";
    const to = "2026-11-03T00:00:00.000Z";
    expect(resolveWindow({ from, to, properties: [] }, NOW)).toEqual({ fromMs: Date.parse(from), toMs: Date.parse(to) });
    expect(resolveWindow({ from, properties: [] }, NOW)).toEqual({ fromMs: Date.parse(from), toMs: NOW });
    expect(resolveWindow({ to, properties: [] }, NOW)).toEqual({ fromMs: Date.parse(to) - 24 * HOUR, toMs: Date.parse(to) });
  });

  it("is asked of the metrics API with the filters, in one order whatever the URL's", () => {
    const a = dashboardFromSearchParams(new URLSearchParams("provider=openai&property.b=2&model=m&property.a=1"));
    const b = dashboardFromSearchParams(new URLSearchParams("property.a=1&model=m&property.b=2&provider=openai&range=24h"));
    const window = resolveWindow(a.filters, NOW);
    expect(metricsQuery(a.filters, window)).toBe(metricsQuery(b.filters, window));
    expect(Object.fromEntries(new URLSearchParams(metricsQuery(a.filters, window)))).toEqual({
      from: "2026-11-23T12:30:00.000Z",
      to: "2026-11-24T12:30:00.000Z",
      model: "m",
      provider: "openai",
      "property.a": "1",
      "property.b": "2",
    });
  });
});

describe("links to the requests behind a number", () => {
  const window = { fromMs: NOW - 24 * HOUR, toMs: NOW };
  const filters = { model: "gpt-4o", range: "24h" as const, properties: [["stage", "rag"]] as Array<[string, string]> };
  const linked = (href: string) => {
    expect(href.startsWith("/requests?")).toBe(true);
    return new URLSearchParams(href.slice("/requests?".length));
  };

  it("carry the dashboard's filters and its window; the Requests page's inclusive `to` stops a millisecond before the window's end", () => {
    const params = linked(requestsHref(filters, window));
    expect(Object.fromEntries(params)).toEqual({ model: "gpt-4o", from: "2026-11-23T12:30:00.000Z", to: "2026-11-24T12:29:59.999Z", "property.stage": "rag" });
    expect(params.has("range")).toBe(false);
  });

  it("read back by the Requests page as exactly that slice", () => {
    const href = requestsHref(filters, window, { userId: "alice@example.com", property: ["step", "plan & act"] });
    expect(filtersFromSearchParams(linked(href))).toEqual({
      model: "gpt-4o",
      userId: "alice@example.com",
      from: "2026-11-23T12:30:00.000Z",
      to: "2026-11-24T12:29:59.999Z",
      properties: [["stage", "rag"], ["step", "plan & act"]],
    });
  });

  it("a slice's value replaces the same filter's; a status code stays narrower than ok or error", () => {
    expect(linked(requestsHref(filters, window, { model: "claude-3-5-haiku", property: ["stage", "answer"] })).getAll("property.stage")).toEqual(["answer"]);
    expect(linked(requestsHref(filters, window, { model: "claude-3-5-haiku" })).get("model")).toBe("claude-3-5-haiku");
    expect(linked(requestsHref({ ...filters, status: "error" }, window, { status: "503" })).get("status")).toBe("503");
    expect(linked(requestsHref({ ...filters, status: "503" }, window, { status: "error" })).get("status")).toBe("503");
    expect(linked(requestsHref(filters, window, { status: "ok" })).get("status")).toBe("ok");
  });

  it("keep the provider filter, which the Requests page reads too", () => {
    const href = requestsHref({ ...filters, provider: "anthropic" }, window, { model: "claude-3-5-haiku" });
    expect(filtersFromSearchParams(linked(href))).toMatchObject({ provider: "anthropic", model: "claude-3-5-haiku" });
  });

  it("a bucket covers its interval, cut to the window at the ragged ends", () => {
    const firstStart = Date.UTC(2026, 10, 23, 12);
    expect(bucketWindow(window, firstStart, HOUR)).toEqual({ fromMs: window.fromMs, toMs: firstStart + HOUR });
    expect(bucketWindow(window, firstStart + 5 * HOUR, HOUR)).toEqual({ fromMs: firstStart + 5 * HOUR, toMs: firstStart + 6 * HOUR });
    expect(bucketWindow(window, Date.UTC(2026, 10, 24, 12), HOUR)).toEqual({ fromMs: Date.UTC(2026, 10, 24, 12), toMs: NOW });
    const href = requestsHref(filters, bucketWindow(window, firstStart + 5 * HOUR, HOUR), { status: "error" });
    expect(Object.fromEntries(linked(href))).toMatchObject({ from: "2026-11-23T17:00:00.000Z", to: "2026-11-23T17:59:59.999Z", status: "error" });
  });
});

describe("chart models from the timeseries", () => {
  const figures = (over: Partial<MetricsFigures> = {}): MetricsFigures => ({
    requests: 0,
    errors: 0,
    cost: 0,
    costComplete: true,
    promptTokens: 0,
    completionTokens: 0,
    latencyMs: { p50: null, p95: null, p99: null },
    ...over,
  });
  const bucket = (hour: number, groups: Array<[string | null, Partial<MetricsFigures>]>): MetricsBucket => {
    const members = groups.map(([key, over]) => ({ key, ...figures(over) }));
    const sum = (field: "requests" | "errors" | "cost") => members.reduce((total, g) => total + g[field], 0);
    return { start: new Date(Date.UTC(2026, 10, 24, hour)).toISOString(), ...figures({ requests: sum("requests"), errors: sum("errors"), cost: sum("cost") }), groups: members };
  };

  it("requests: OK and errors stack to each bucket's count and link to status ok and error", () => {
    const timeseries: MetricsTimeseries = { interval: "hour", buckets: [bucket(0, [["gpt-4o", { requests: 5, errors: 2 }]]), bucket(1, [])] };
    const chart = requestsChart(timeseries);
    expect(chart.intervalMs).toBe(HOUR);
    expect(chart.points.map((p) => p.values)).toEqual([[3, 2], [0, 0]]);
    expect(chart.series.map((s) => s.slice)).toEqual([{ status: "ok" }, { status: "error" }]);
  });

  it("latency: an empty bucket has no percentile (a gap, not a zero)", () => {
    const timeseries: MetricsTimeseries = {
      interval: "minute",
      buckets: [{ ...bucket(0, []), latencyMs: { p50: 120, p95: 800, p99: 950 } }, bucket(1, [])],
    };
    expect(latencyChart(timeseries).points.map((p) => p.values)).toEqual([[120, 800, 950], [null, null, null]]);
  });

  it("cost by model: the costliest models get their own series, the rest one 'other' that links nowhere; each bucket adds up", () => {
    const models = Array.from({ length: MAX_GROUP_SERIES + 2 }, (_, i) => `model-${i}`);
    const timeseries: MetricsTimeseries = {
      interval: "hour",
      buckets: [bucket(0, models.map((model, i) => [model, { requests: 1, cost: (i + 1) / 100 }])), bucket(1, [["model-0", { requests: 1, cost: 0.5 }], [null, { requests: 1, cost: 0.02 }]])],
    };
    const chart = costByModelChart(timeseries);
    expect(chart.series).toHaveLength(MAX_GROUP_SERIES);
    // model-0 costs 0.51 in all, more than the rest; the two cheapest others and the model-less request are gathered
    expect(chart.series.slice(0, 3).map((s) => s.label)).toEqual(["model-0", "model-9", "model-8"]);
    expect(chart.series.at(-1)).toMatchObject({ label: "Other models", slice: null });
    expect(chart.series[1]!.slice).toEqual({ model: "model-9" });
    for (const [i, point] of chart.points.entries()) {
      expect(point.values.reduce((a, b) => a! + b!, 0)).toBeCloseTo(timeseries.buckets[i]!.cost, 10);
    }
  });

  it("errors by status: failed statuses only, each linking to its code", () => {
    const timeseries: MetricsTimeseries = {
      interval: "hour",
      buckets: [bucket(0, [["200", { requests: 9 }], ["503", { requests: 2, errors: 2 }], ["0", { requests: 1, errors: 1 }]]), bucket(1, [["429", { requests: 3, errors: 3 }]])],
    };
    const chart = errorsByStatusChart(timeseries);
    expect(chart.series.map((s) => [s.label, s.slice])).toEqual([
      ["429", { status: "429" }],
      ["503", { status: "503" }],
      ["0", { status: "0" }],
    ]);
    expect(chart.points.map((p) => p.values)).toEqual([[0, 2, 1], [3, 0, 0]]);
  });
});

describe("chart labels", () => {
  it("minutes and hours in local time, days as UTC dates", () => {
    const start = new Date(2026, 10, 24, 9, 5).getTime();
    expect(formatBucketTick(start, "minute", HOUR)).toBe("09:05");
    expect(formatBucketTick(start, "hour", 7 * 24 * HOUR)).toBe("Nov 24 09:05");
    expect(formatBucketRange(start, "hour", HOUR)).toBe("Nov 24 09:05–10:05");
    expect(formatBucketTick(Date.UTC(2026, 10, 24), "day", 30 * 24 * HOUR)).toBe("Nov 24");
    expect(formatBucketRange(Date.UTC(2026, 10, 24), "day", 24 * HOUR)).toBe("Nov 24 (UTC)");
  });

  it("axis numbers stay short", () => {
    expect([formatCompact(950), formatCompact(1234), formatCompact(45_600), formatCompact(3_400_000), formatCompact(0.5)]).toEqual(["950", "1.23k", "45.6k", "3.4M", "0.5"]);
    expect([formatCompactUsd(0), formatCompactUsd(0.0031), formatCompactUsd(1.5), formatCompactUsd(12_500)]).toEqual(["$0", "$0.0031", "$1.5", "$12.5k"]);
  });
});
