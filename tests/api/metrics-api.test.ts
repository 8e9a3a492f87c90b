// GET /api/v1/metrics/{summary,timeseries,top} on a real app and database: random requests stored
// through the real custom log and OTLP endpoints (retries on one trace node, roll-up spans,
// cancelled calls, unknown prices, late records, replayed exports), each answer checked against a
// brute-force computation over the stored rows as the Requests API lists them.
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { expect, it } from "vitest";
import type { MetricsSummary, MetricsTimeseries, MetricsTop } from "@/lib/contracts/metrics";
import { signIn } from "../helpers/dashboard-login";
import { createKeyWithCli } from "../helpers/keys-cli";
import { exactPart, exactSum, expectFigures, expectPercentile } from "../helpers/metrics-expectations";
import {
  inRange,
  picoOf,
  referenceBucketStarts,
  referenceFigures,
  referenceGroups,
  referenceSummary,
  type ReferenceRow,
} from "../helpers/metrics-reference";
import { jsonExportRequest, randomHexId, type TestAttributes } from "../helpers/otlp-requests";
import { describeOnEachDatabase, type TestStack } from "../helpers/test-stack";

const ADMIN = { email: "admin@metrics.test", password: "metrics-password-1" };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const INTERVAL_MS = { minute: MINUTE, hour: HOUR, day: DAY } as const;

// ---------------------------------------------------------------- what is sent

/** One call sent to the custom log. */
interface LoggedCall {
  kind: "custom";
  startMs: number;
  latencyMs: number;
  /** as Helicone's loggers send it: -3 is a cancelled call, other negatives no HTTP status */
  status: number;
  model: string;
  promptTokens: number;
  completionTokens: number;
  timeToFirstTokenMs: number | null;
  headers: Record<string, string>;
}

/** An OTLP trace: an agent span carrying usage around an LLM span carrying usage (a roll-up). */
interface SpanTrace {
  kind: "otlp";
  startMs: number;
  latencyMs: number;
  childLatencyMs: number;
  model: string;
  promptTokens: number;
  completionTokens: number;
  failed: boolean;
  attributes: TestAttributes;
  /**
   * sent twice, as an exporter retrying a batch whose answer it lost: stored twice (a client's
   * retry is a new record, see the README), two attempts on each node
   */
  replayed: boolean;
}

type Sent = LoggedCall | SpanTrace;

const OPENAI_MODELS = ["gpt-4o-mini", "gpt-4o", "acme-private-llm"]; // the last has no price
const ANTHROPIC_MODEL = "claude-3-5-haiku-20241022";

async function postCustomLog(stack: TestStack, apiKey: string, call: Omit<LoggedCall, "kind">): Promise<void> {
  const anthropic = call.model.startsWith("claude");
  const usage = anthropic
    ? { input_tokens: call.promptTokens, output_tokens: call.completionTokens }
    : { prompt_tokens: call.promptTokens, completion_tokens: call.completionTokens, total_tokens: call.promptTokens + call.completionTokens };
  const answer = anthropic
    ? { id: "msg_1", type: "message", role: "assistant", model: call.model, content: [{ type: "text", text: "hello" }], stop_reason: "end_turn", usage }
    : { id: "chatcmpl-1", object: "chat.completion", model: call.model, choices: [{ index: 0, message: { role: "assistant", content: "hello" }, finish_reason: "stop" }], usage };
  const response = await fetch(`${stack.app.url}/v1/trace/custom/log`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", ...call.headers },
    body: JSON.stringify({
      providerRequest: {
        url: anthropic ? "https://api.anthropic.com/v1/messages" : "https://api.openai.com/v1/chat/completions",
        json: { model: call.model, messages: [{ role: "user", content: "hi" }] },
        meta: {},
      },
      providerResponse: { json: answer, status: call.status, headers: {} },
      timing: { startTime: call.startMs, endTime: call.startMs + call.latencyMs, timeToFirstToken: call.timeToFirstTokenMs },
    }),
  });
  expect(response.status, await response.text()).toBe(200);
}

async function postSpanTrace(stack: TestStack, apiKey: string, trace: SpanTrace): Promise<void> {
  const traceId = randomHexId(16);
  const agentId = randomHexId(8);
  const usage = (share: number) => ({
    "gen_ai.system": "openai",
    "gen_ai.request.model": trace.model,
    "gen_ai.usage.input_tokens": Math.round(trace.promptTokens * share),
    "gen_ai.usage.output_tokens": Math.round(trace.completionTokens * share),
  });
  const body = JSON.stringify(
    jsonExportRequest([
      // The agent's usage repeats its call's: a roll-up, counted as a request but not in cost or tokens.
      { traceId, spanId: agentId, name: "invoke_agent", startMs: trace.startMs, endMs: trace.startMs + trace.latencyMs, attributes: { ...usage(1), ...trace.attributes } },
      {
        traceId,
        spanId: randomHexId(8),
        parentSpanId: agentId,
        name: "chat",
        kind: 3,
        startMs: trace.startMs + 1,
        endMs: trace.startMs + 1 + trace.childLatencyMs,
        attributes: { ...usage(1), ...trace.attributes },
        status: trace.failed ? { code: 2, message: "rate limited" } : { code: 1 },
      },
    ]),
  );
  for (let i = 0; i < (trace.replayed ? 2 : 1); i++) {
    const response = await fetch(`${stack.app.url}/v1/traces`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body,
    });
    expect(response.status, await response.text()).toBe(200);
  }
}

async function send(stack: TestStack, apiKey: string, items: readonly Sent[]): Promise<void> {
  // A few at a time: arrival order differs from time order, as with several clients.
  for (let i = 0; i < items.length; i += 8) {
    await Promise.all(items.slice(i, i + 8).map((item) => (item.kind === "custom" ? postCustomLog(stack, apiKey, item) : postSpanTrace(stack, apiKey, item))));
  }
}

const storedRequests = (items: readonly Sent[]) => items.reduce((sum, item) => sum + (item.kind === "custom" ? 1 : item.replayed ? 4 : 2), 0);

/** Random traffic over the 30 days before `nowMs`, with few traces, nodes, users and sessions so that they collide. */
function trafficArbitrary(nowMs: number, maxItems: number): fc.Arbitrary<Sent[]> {
  const time = fc.oneof(
    fc.integer({ min: nowMs - 30 * DAY, max: nowMs - 1 }),
    // a few on exact hour and day boundaries
    fc.integer({ min: 1, max: 30 * 24 }).map((hours) => Math.floor(nowMs / HOUR) * HOUR - hours * HOUR),
  );
  const latency = fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 600_000 }));
  const maybe = <T>(values: T[]) => fc.option(fc.constantFrom(...values), { nil: null, freq: 3 });
  const people = fc.record({
    user: maybe(["alice", "bob", "carol"]),
    session: maybe(["s-1", "s-2"]),
    env: maybe(["prod", "dev"]),
    customer: maybe(["acme", "globex", "initech"]),
  });
  const call: fc.Arbitrary<LoggedCall> = fc
    .record({
      startMs: time,
      latencyMs: latency,
      status: fc.constantFrom(200, 200, 200, 201, 400, 429, 500, 503, -3, -1),
      model: fc.constantFrom(...OPENAI_MODELS, ANTHROPIC_MODEL),
      promptTokens: fc.integer({ min: 0, max: 50_000 }),
      completionTokens: fc.integer({ min: 0, max: 5_000 }),
      timeToFirstTokenMs: fc.option(fc.integer({ min: 0, max: 2_000 }), { nil: null }),
      people,
      // few traces and nodes: retries on one node, some of them outside a query's range
      node: fc.option(fc.tuple(fc.constantFrom("alpha", "beta"), fc.constantFrom("", ":plan", ":plan:search")), { nil: null, freq: 3 }),
    })
    .map(({ people, node, ...call }) => ({ kind: "custom" as const, ...call, headers: heliconeHeaders(people, node) }));
  const spanTrace: fc.Arbitrary<SpanTrace> = fc
    .record({
      startMs: time,
      latencyMs: latency,
      childLatencyMs: fc.integer({ min: 0, max: 5_000 }),
      model: fc.constantFrom("gpt-4o-mini", "gpt-4o"),
      promptTokens: fc.integer({ min: 1, max: 20_000 }),
      completionTokens: fc.integer({ min: 1, max: 2_000 }),
      failed: fc.boolean(),
      people,
      replayed: fc.boolean(),
    })
    .map(({ people, ...trace }) => ({ kind: "otlp" as const, ...trace, attributes: spanAttributes(people) }));
  return fc.array(fc.oneof({ weight: 6, arbitrary: call }, { weight: 1, arbitrary: spanTrace }), { minLength: Math.min(40, maxItems), maxLength: maxItems, size: "max" });
}

type People = { user: string | null; session: string | null; env: string | null; customer: string | null };

function heliconeHeaders(people: People, node: [string, string] | null): Record<string, string> {
  const headers: Record<string, string> = {};
  if (people.user) headers["Helicone-User-Id"] = people.user;
  if (people.session) headers["Helicone-Session-Id"] = people.session;
  if (people.env) headers["Helicone-Property-Env"] = people.env;
  if (people.customer) headers["Helicone-Property-Customer"] = people.customer;
  if (node) headers["Helicone-Node-Id"] = node[0] + node[1];
  return headers;
}

function spanAttributes(people: People): TestAttributes {
  const attributes: TestAttributes = {};
  if (people.user) attributes["helicone.user.id"] = people.user;
  if (people.session) attributes["helicone.session.id"] = people.session;
  if (people.env) attributes["helicone.property.env"] = people.env;
  if (people.customer) attributes["helicone.property.customer"] = people.customer;
  return attributes;
}

// ---------------------------------------------------------------- what is asked

/** The Requests filters as query parameters, and the same filter over reference rows. */
interface Filter {
  params: Record<string, string>;
  matches(row: ReferenceRow): boolean;
}

const isOk = (status: number) => status >= 200 && status < 300;

const filterArbitrary: fc.Arbitrary<Filter> = fc.oneof(
  fc.constant<Filter>({ params: {}, matches: () => true }),
  fc.constantFrom(...OPENAI_MODELS, ANTHROPIC_MODEL).map((model): Filter => ({ params: { model }, matches: (row) => row.model === model })),
  fc.constantFrom("openai", "anthropic").map((provider): Filter => ({ params: { provider }, matches: (row) => row.provider === provider })),
  fc.constantFrom("ok", "error", "500", "0").map(
    (status): Filter => ({
      params: { status },
      matches: (row) => (status === "ok" ? isOk(row.status) : status === "error" ? !isOk(row.status) : row.status === Number(status)),
    }),
  ),
  fc.constantFrom("alice", "bob").map((userId): Filter => ({ params: { userId }, matches: (row) => row.userId === userId })),
  fc.constantFrom("s-1", "s-2").map((sessionId): Filter => ({ params: { sessionId }, matches: (row) => row.sessionId === sessionId })),
  // the key in another case: keys match case-insensitively
  fc.constantFrom("prod", "dev").map((env): Filter => ({ params: { "property.Env": env }, matches: (row) => row.properties.env === env })),
  fc.constantFrom("acme", "globex").map(
    (customer): Filter => ({
      params: { model: "gpt-4o-mini", "property.customer": customer },
      matches: (row) => row.model === "gpt-4o-mini" && row.properties.customer === customer,
    }),
  ),
);

interface Question {
  fromMs: number;
  toMs: number;
  filter: Filter;
  interval: "auto" | "hour" | "day";
  groupBy: string | null;
  top: { by: string; order: "cost" | "requests" | "latencyP95"; limit: number };
}

const DIMENSIONS = ["model", "provider", "status", "userId", "sessionId", "property.customer", "property.Env"];

function questionArbitrary(nowMs: number): fc.Arbitrary<Question> {
  const range = fc.oneof(
    // the dashboard's 30 days
    fc.constant({ fromMs: nowMs - 30 * DAY, toMs: nowMs + MINUTE }),
    // any range of a few hours to a few weeks, ends anywhere
    fc
      .record({ fromMs: fc.integer({ min: nowMs - 31 * DAY, max: nowMs - HOUR }), spanMs: fc.integer({ min: HOUR, max: 20 * DAY }) })
      .map(({ fromMs, spanMs }) => ({ fromMs, toMs: fromMs + spanMs })),
    // ends on whole hours, where some requests start: `from` takes them, `to` leaves them out
    fc
      .record({ toHoursAgo: fc.integer({ min: 0, max: 29 * 24 }), hours: fc.integer({ min: 1, max: 10 * 24 }) })
      .map(({ toHoursAgo, hours }) => {
        const toMs = Math.floor(nowMs / HOUR) * HOUR - toHoursAgo * HOUR;
        return { fromMs: toMs - hours * HOUR, toMs };
      }),
  );
  return fc.record({
    range,
    filter: filterArbitrary,
    interval: fc.constantFrom("auto" as const, "hour" as const, "day" as const),
    groupBy: fc.constantFrom(null, ...DIMENSIONS),
    top: fc.record({
      by: fc.constantFrom(...DIMENSIONS),
      order: fc.constantFrom("cost" as const, "requests" as const, "latencyP95" as const),
      limit: fc.integer({ min: 1, max: 5 }),
    }),
  }).map(({ range, ...rest }) => ({ ...range, ...rest }));
}

// ---------------------------------------------------------------- the reference

interface ListedRequest {
  id: string;
  startTime: string;
  status: number;
  cancelled: boolean;
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  cost: number | null;
  costUnknown: boolean;
  usageRollup: boolean;
  traceId: string | null;
  nodeId: string | null;
  model: string | null;
  provider: string;
  userId: string | null;
  sessionId: string | null;
  properties: Record<string, string>;
}

async function getJson<T>(stack: TestStack, apiKey: string, path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(stack.app.url + path, { headers: { authorization: `Bearer ${apiKey}` } });
  return { status: response.status, body: (await response.json()) as T };
}

/** Every request GET /api/v1/requests lists for `filters`, all pages. */
async function listRequests(stack: TestStack, apiKey: string, filters = new URLSearchParams()): Promise<ListedRequest[]> {
  const listed: ListedRequest[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams(filters);
    query.set("limit", "1000");
    if (cursor) query.set("cursor", cursor);
    const { status, body }: { status: number; body: { data: ListedRequest[]; nextCursor: string | null } } = await getJson(stack, apiKey, `/api/v1/requests?${query}`);
    expect(status).toBe(200);
    listed.push(...body.data);
    cursor = body.nextCursor;
  } while (cursor);
  return listed;
}

const listedIds = async (stack: TestStack, apiKey: string, filters: URLSearchParams) => (await listRequests(stack, apiKey, filters)).map((r) => r.id);

/** Every stored request of the key's organization, as GET /api/v1/requests lists them. */
async function storedRows(stack: TestStack, apiKey: string): Promise<ReferenceRow[]> {
  return (await listRequests(stack, apiKey)).map((r) => ({
    id: r.id,
    nodeId: r.nodeId,
    startMs: Date.parse(r.startTime),
    status: r.status,
    cancelled: r.cancelled,
    latencyMs: r.latencyMs,
    timeToFirstTokenMs: r.timeToFirstTokenMs,
    promptTokens: r.promptTokens,
    completionTokens: r.completionTokens,
    costUsd: r.cost,
    costUnknown: r.costUnknown,
    usageRollup: r.usageRollup,
    traceId: r.traceId,
    model: r.model,
    provider: r.provider,
    userId: r.userId,
    sessionId: r.sessionId,
    properties: r.properties,
  }));
}

function query(question: Question, extra: Record<string, string> = {}): string {
  return new URLSearchParams({ from: new Date(question.fromMs).toISOString(), to: String(question.toMs), ...question.filter.params, ...extra }).toString();
}

function autoInterval(rangeMs: number): keyof typeof INTERVAL_MS {
  return rangeMs <= 2 * HOUR ? "minute" : rangeMs <= 7 * DAY ? "hour" : "day";
}

/** Asks all three endpoints `question` and holds each answer to the reference over `allRows`. */
async function expectAnswersMatch(stack: TestStack, apiKey: string, question: Question, allRows: readonly ReferenceRow[]): Promise<void> {
  const slice = inRange(allRows.filter(question.filter.matches), question.fromMs, question.toMs);

  // summary
  const summary = await getJson<MetricsSummary>(stack, apiKey, `/api/v1/metrics/summary?${query(question)}`);
  expect(summary.status, JSON.stringify(summary.body)).toBe(200);
  const reference = referenceSummary(slice, allRows);
  expectFigures(summary.body, reference, "summary");
  expect({
    traces: summary.body.traces,
    users: summary.body.users,
    sessions: summary.body.sessions,
    wastedCost: picoOf(summary.body.wastedCost),
    costPerTrace: [summary.body.costPerTrace.p50, summary.body.costPerTrace.p95].map((usd) => (usd === null ? null : picoOf(usd))),
  }).toEqual({
    traces: reference.traces,
    users: reference.users,
    sessions: reference.sessions,
    wastedCost: reference.wastedCostPico,
    costPerTrace: [reference.costPerTrace.p50Pico, reference.costPerTrace.p95Pico],
  });
  // The Requests page, filtered the same way (its `to` is inclusive), lists exactly the requests counted.
  const listed = await listedIds(stack, apiKey, new URLSearchParams({ ...question.filter.params, from: String(question.fromMs), to: String(question.toMs - 1) }));
  expect(listed.sort()).toEqual(slice.map((row) => row.id).sort());
  expectPercentile(summary.body.timeToFirstTokenMs.p50, reference.timeToFirstTokenMs.p50, "time to first token p50");
  expectPercentile(summary.body.timeToFirstTokenMs.p95, reference.timeToFirstTokenMs.p95, "time to first token p95");

  // timeseries
  const groupBy: Record<string, string> = question.groupBy ? { groupBy: question.groupBy } : {};
  const series = await getJson<MetricsTimeseries>(stack, apiKey, `/api/v1/metrics/timeseries?${query(question, { interval: question.interval, ...groupBy })}`);
  expect(series.status, JSON.stringify(series.body)).toBe(200);
  const interval = question.interval === "auto" ? autoInterval(question.toMs - question.fromMs) : question.interval;
  expect(series.body.interval).toBe(interval);
  const starts = referenceBucketStarts(question.fromMs, question.toMs, interval);
  expect(series.body.buckets.map((bucket) => Date.parse(bucket.start))).toEqual(starts);
  series.body.buckets.forEach((bucket, i) => {
    const inBucket = inRange(slice, Math.max(starts[i]!, question.fromMs), Math.min(starts[i]! + INTERVAL_MS[interval], question.toMs));
    expectFigures(bucket, referenceFigures(inBucket), `bucket ${bucket.start}`);
    if (!question.groupBy) return expect(bucket.groups).toBeUndefined();
    const groups = referenceGroups(inBucket, question.groupBy);
    expect(bucket.groups!.map((group) => group.key)).toEqual([...groups.keys()].sort(byKeyNullLast));
    for (const group of bucket.groups!) expectFigures(group, referenceFigures(groups.get(group.key)!), `bucket ${bucket.start} group ${group.key}`);
  });
  // The buckets add up exactly to the summary.
  expect(exactSum(series.body.buckets)).toEqual(exactPart(summary.body));

  // top
  const { by, order, limit } = question.top;
  const top = await getJson<MetricsTop>(stack, apiKey, `/api/v1/metrics/top?${query(question, { by, order, limit: String(limit) })}`);
  expect(top.status, JSON.stringify(top.body)).toBe(200);
  expect([top.body.by, top.body.order]).toEqual([by.startsWith("property.") ? by.toLowerCase() : by, order]);
  const groups = [...referenceGroups(slice, by)].filter((entry): entry is [string, ReferenceRow[]] => entry[0] !== null);
  const figures = new Map(groups.map(([key, rows]) => [key, referenceFigures(rows)]));
  expect(top.body.rows).toHaveLength(Math.min(limit, groups.length));
  for (const row of top.body.rows) {
    const expected = figures.get(row.key)!;
    expect({ requests: row.requests, errors: row.errors, cost: picoOf(row.cost), costComplete: row.costComplete }, `top ${row.key}`).toEqual({
      requests: expected.requests,
      errors: expected.errors,
      cost: expected.costPico,
      costComplete: expected.costComplete,
    });
    expectPercentile(row.latencyMs.p95, expected.latencyMs.p95, `top ${row.key} p95`);
  }
  if (order === "latencyP95") {
    // Ranked by the sketch's p95, which is within 1 % of the exact one: no group left out is
    // clearly slower than the slowest-ranked row kept.
    const kept = new Set(top.body.rows.map((row) => row.key));
    const p95s = top.body.rows.map((row) => row.latencyMs.p95!);
    expect(p95s).toEqual([...p95s].sort((a, b) => b - a));
    const lowest = Math.min(...p95s);
    for (const [key, expected] of figures) if (!kept.has(key)) expect(expected.latencyMs.p95!).toBeLessThanOrEqual(lowest * 1.02 + 0.001);
  } else {
    const measure = (f: ReturnType<typeof referenceFigures>) => (order === "cost" ? f.costPico : BigInt(f.requests));
    const ranked = [...figures].sort(([ka, a], [kb, b]) => (measure(b) > measure(a) ? 1 : measure(b) < measure(a) ? -1 : ka < kb ? -1 : 1));
    expect(top.body.rows.map((row) => row.key)).toEqual(ranked.slice(0, limit).map(([key]) => key));
  }
}

function byKeyNullLast(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

// ---------------------------------------------------------------- the tests

describeOnEachDatabase(
  "metrics API",
  (stack) => {
    /** A new organization and its key: each property run starts from no data. */
    async function newOrganization(): Promise<string> {
      return (await createKeyWithCli(stack().databaseUrl, ["--name", "metrics", "--organization", `metrics-${randomUUID()}`])).key;
    }

    it(
      "random traffic: summary, timeseries (grouped or not) and top equal a brute-force computation over the stored rows, before and after late records arrive",
      async () => {
        const nowMs = Date.now();
        await fc.assert(
          fc.asyncProperty(trafficArbitrary(nowMs, 150), questionArbitrary(nowMs), questionArbitrary(nowMs), async (traffic, first, second) => {
            const apiKey = await newOrganization();
            // The newest half first, then the rest: records older than what is already stored.
            const byTime = [...traffic].sort((a, b) => b.startMs - a.startMs);
            const early = byTime.slice(0, Math.ceil(byTime.length / 2));
            const late = byTime.slice(early.length);
            await send(stack(), apiKey, early);
            let rows = await storedRows(stack(), apiKey);
            expect(rows).toHaveLength(storedRequests(early));
            await expectAnswersMatch(stack(), apiKey, first, rows);

            await send(stack(), apiKey, late);
            rows = await storedRows(stack(), apiKey);
            expect(rows).toHaveLength(storedRequests(traffic));
            await expectAnswersMatch(stack(), apiKey, first, rows);
            await expectAnswersMatch(stack(), apiKey, second, rows);
          }),
          // API runs are slow: a few of them, and no shrinking (each step would send everything again).
          { numRuns: 5, endOnFailure: true },
        );
      },
      300_000,
    );

    it("buckets are aligned to UTC boundaries, each [start, start + interval), empty ones included", async () => {
      const tag = randomUUID();
      const dayMs = Math.floor(Date.now() / DAY) * DAY - 3 * DAY; // a UTC midnight three days ago
      const at = (hours: number, minutes = 0) => dayMs + hours * HOUR + minutes * MINUTE;
      const headers = { "Helicone-Property-Case": tag };
      const call = (startMs: number, latencyMs: number) => postCustomLog(stack(), stack().app.apiKey, { startMs, latencyMs, status: 200, model: "gpt-4o-mini", promptTokens: 10, completionTokens: 5, timeToFirstTokenMs: null, headers });
      await call(at(10, 15), 1000);
      await call(at(10, 45), 3000);
      await call(at(13, 5), 500);
      await call(at(14, 10), 700); // at `to`: excluded

      const hourly = await stack().api(`/api/v1/metrics/timeseries?property.case=${tag}&interval=hour&from=${new Date(at(9, 30)).toISOString()}&to=${new Date(at(14, 10)).toISOString()}`);
      expect(hourly.status).toBe(200);
      expect(hourly.body.buckets.map((b: { start: string; requests: number }) => [b.start, b.requests])).toEqual([
        [new Date(at(9)).toISOString(), 0],
        [new Date(at(10)).toISOString(), 2],
        [new Date(at(11)).toISOString(), 0],
        [new Date(at(12)).toISOString(), 0],
        [new Date(at(13)).toISOString(), 1],
        [new Date(at(14)).toISOString(), 0],
      ]);
      const empty = hourly.body.buckets[0];
      expect(empty).toMatchObject({ requests: 0, errors: 0, cost: 0, costComplete: true, promptTokens: 0, completionTokens: 0, latencyMs: { p50: null, p95: null, p99: null } });
      expect(hourly.body.buckets[1].latencyMs.p50).toBeCloseTo(1000, -1);

      const daily = await stack().api(`/api/v1/metrics/timeseries?property.case=${tag}&interval=day&from=${at(9, 30)}&to=${at(50)}`);
      expect(daily.body.buckets.map((b: { start: string; requests: number }) => [b.start, b.requests])).toEqual([
        [new Date(dayMs).toISOString(), 4],
        [new Date(dayMs + DAY).toISOString(), 0],
        [new Date(dayMs + 2 * DAY).toISOString(), 0],
      ]);

      const minutes = await stack().api(`/api/v1/metrics/timeseries?property.case=${tag}&from=${at(10, 14) + 30_000}&to=${at(10, 16)}`);
      expect(minutes.body.interval).toBe("minute");
      expect(minutes.body.buckets.map((b: { start: string; requests: number }) => [b.start, b.requests])).toEqual([
        [new Date(at(10, 14)).toISOString(), 0],
        [new Date(at(10, 15)).toISOString(), 1],
      ]);
    });

    it("without from and to, the last 24 hours; with from only, from then until now", async () => {
      const tag = randomUUID();
      const now = Date.now();
      const headers = { "Helicone-Property-Case": tag };
      const call = (startMs: number) => postCustomLog(stack(), stack().app.apiKey, { startMs, latencyMs: 100, status: 200, model: "gpt-4o-mini", promptTokens: 10, completionTokens: 5, timeToFirstTokenMs: null, headers });
      await call(now - 2 * HOUR);
      await call(now - 30 * HOUR);
      expect((await stack().api(`/api/v1/metrics/summary?property.case=${tag}`)).body.requests).toBe(1);
      expect((await stack().api(`/api/v1/metrics/summary?property.case=${tag}&from=${now - 48 * HOUR}`)).body.requests).toBe(2);
      const series = await stack().api(`/api/v1/metrics/timeseries?property.case=${tag}`);
      expect(series.body.interval).toBe("hour");
      expect(series.body.buckets.length).toBeGreaterThanOrEqual(24);
      expect(series.body.buckets.length).toBeLessThanOrEqual(25);
    });

    it("another organization's requests are invisible, and its key sees only its own", async () => {
      const tag = randomUUID();
      const other = await newOrganization();
      const now = Date.now();
      const call = { startMs: now - HOUR, latencyMs: 100, status: 200, model: "gpt-4o-mini", promptTokens: 10, completionTokens: 5, timeToFirstTokenMs: null };
      await postCustomLog(stack(), other, { ...call, headers: { "Helicone-Property-Case": tag, "Helicone-User-Id": `user-${tag}` } });
      for (const path of ["summary", "timeseries", "top?by=userId"]) {
        const separator = path.includes("?") ? "&" : "?";
        const mine = await stack().api(`/api/v1/metrics/${path}${separator}property.case=${tag}`);
        expect(mine.status).toBe(200);
        expect(JSON.stringify(mine.body)).not.toContain(tag);
        if (path === "summary") expect(mine.body.requests).toBe(0);
      }
      expect((await getJson<MetricsSummary>(stack(), other, `/api/v1/metrics/summary`)).body).toMatchObject({ requests: 1, users: 1 });
      expect((await getJson<MetricsTop>(stack(), other, `/api/v1/metrics/top?by=userId`)).body.rows.map((row) => row.key)).toEqual([`user-${tag}`]);
    });

    it("a signed-in user reads the metrics with the session cookie; without a key or cookie it is 401", async () => {
      const cookie = await signIn(stack().app.url, ADMIN.email, ADMIN.password);
      expect(cookie).not.toBeNull();
      for (const path of ["/api/v1/metrics/summary", "/api/v1/metrics/timeseries", "/api/v1/metrics/top"]) {
        expect((await fetch(stack().app.url + path, { headers: { cookie: cookie! } })).status, path).toBe(200);
        const anonymous = await fetch(stack().app.url + path);
        expect(anonymous.status, path).toBe(401);
        expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
        expect((await fetch(stack().app.url + path, { headers: { authorization: "Bearer sk-tw-not-a-key" } })).status, path).toBe(401);
      }
    });

    it("bad parameters are a 400 that says what is wrong", async () => {
      const cases: Array<[string, RegExp]> = [
        ["summary?from=yesterday", /from: expected an ISO date or epoch milliseconds/],
        ["summary?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", /must be before to/],
        ["summary?from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", /must be before to/],
        ["summary?status=teapot", /status: expected an HTTP status code/],
        ["summary?property.=x", /property filter needs a key/],
        ["summary?groupby=model", /unknown parameter "groupby"/],
        ["timeseries?interval=week", /interval/],
        ["timeseries?groupBy=color", /cannot group by "color"/],
        ["timeseries?groupBy=property.", /cannot group by "property\."/],
        ["timeseries?interval=minute&from=2026-01-01T00:00:00Z&to=2026-01-31T00:00:00Z", /43,200 buckets; at most 1,500/],
        ["top?by=color", /cannot group by "color"/],
        ["top?order=cheapest", /order/],
        ["top?limit=0", /limit/],
        ["top?limit=101", /limit/],
        ["top?limit=ten", /limit/],
        ["top?interval=hour", /unknown parameter "interval"/],
      ];
      for (const [path, message] of cases) {
        const { status, body } = await stack().api(`/api/v1/metrics/${path}`);
        expect(status, path).toBe(400);
        expect(body.error.message, path).toMatch(message);
      }
    });
  },
  { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
);
