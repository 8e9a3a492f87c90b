import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { signIn } from "../helpers/dashboard-login";
import { openEventStream, type EventStreamClient } from "../helpers/event-stream";
import { createKeyWithCli } from "../helpers/keys-cli";
import { jsonExportRequest, randomHexId } from "../helpers/otlp-requests";
import { describeOnEachDatabase, stackOf, type TestStack } from "../helpers/test-stack";

const ADMIN = { email: "admin@live.test", password: "live-admin-password-1" };
// Short, so that the idle end is seen in a test; every other test stores within it.
const IDLE_TIMEOUT_SECONDS = 5;

// GET /api/v1/traces/{traceId}/events and GET /api/v1/requests/events: what a live view hears
// while real clients send traffic.
describeOnEachDatabase(
  "live events",
  (stack) => {
    const ask = (content: string) => ({ model: "gpt-4o-mini", messages: [{ role: "user" as const, content }] });
    const open = (path: string, as: { apiKey?: string; cookie?: string } = { apiKey: stack().app.apiKey }) =>
      openEventStream(stack().app.url + path, {
        ...(as.apiKey ? { authorization: `Bearer ${as.apiKey}` } : {}),
        ...(as.cookie ? { cookie: as.cookie } : {}),
      });
    const traceEvents = (traceId: string, as?: { apiKey?: string; cookie?: string }) => open(`/api/v1/traces/${encodeURIComponent(traceId)}/events`, as);
    const requestEvents = (as?: { apiKey?: string; cookie?: string }) => open("/api/v1/requests/events", as);
    const requestEvent = (id: string) => (event: { event: string; data: any }) => event.event === "request" && event.data.id === id;
    /** the data of the request events heard so far (an idle stream's end event left out) */
    const heard = (stream: EventStreamClient) => stream.events.filter((e) => e.event === "request").map((e) => e.data);

    /** One chat completion through the proxy with the real SDK; returns the logged request's id. */
    async function complete(client: ReturnType<TestStack["openai"]>, nodeId: string): Promise<{ id: string; answeredAtMs: number }> {
      const { response } = await client.chat.completions.create(ask(`step ${nodeId}`), { headers: { "Helicone-Node-Id": nodeId } }).withResponse();
      const id = response.headers.get("helicone-id");
      expect(id).toBeTruthy();
      return { id: id!, answeredAtMs: performance.now() };
    }

    /** A second organization on the same app, with its own key. */
    async function otherOrganization(): Promise<TestStack> {
      const { key } = await createKeyWithCli(stack().databaseUrl, ["--name", "other", "--organization", `Other ${randomUUID()}`]);
      return stackOf({ ...stack(), app: { ...stack().app, apiKey: key } });
    }

    it("a stream opened before the trace's first node waits, and hears each request (id, nodeId) once it is stored, within a second", async () => {
      const traceId = `live-${randomUUID()}`;
      expect((await stack().api(`/api/v1/traces/${traceId}`)).status).toBe(404);
      // As a browser asks: compressed if possible. Events must leave one by one, not in compressed blocks.
      const stream = await openEventStream(`${stack().app.url}/api/v1/traces/${traceId}/events`, { authorization: `Bearer ${stack().app.apiKey}`, "accept-encoding": "gzip, deflate, br" });
      expect(stream.status).toBe(200);
      expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
      expect(stream.headers.get("content-encoding")).toBeNull();
      try {
        // Once listening, it says how many requests the trace has: a view that has them all need not fetch again.
        expect((await stream.waitFor((event) => event.event === "ready")).data).toEqual({ requestCount: 0 });
        const client = stack().openai();
        const root = await complete(client, `${traceId}:plan`);
        const rootEvent = await stream.waitFor(requestEvent(root.id));
        expect(rootEvent.data).toMatchObject({ id: root.id, traceId, nodeId: `${traceId}:plan`, parentNodeId: traceId, status: 200, model: "gpt-4o-mini", source: "proxy", provider: "openai" });
        expect(rootEvent.atMs - root.answeredAtMs).toBeLessThan(1_000);
        // Told after the commit: the read API has it already.
        expect((await stack().api(`/api/v1/requests/${root.id}`)).status).toBe(200);

        const child = await complete(client, `${traceId}:plan:search`);
        const childEvent = await stream.waitFor(requestEvent(child.id));
        expect(childEvent.data).toMatchObject({ nodeId: `${traceId}:plan:search`, parentNodeId: `${traceId}:plan` });
        const trace = await stack().api(`/api/v1/traces/${traceId}`);
        expect(trace.body.metrics.nodeCount).toBe(2);
        expect(heard(stream).map((e) => e.id)).toEqual([root.id, child.id]);

        const later = await traceEvents(traceId);
        expect((await later.waitFor((event) => event.event === "ready")).data).toEqual({ requestCount: 2 });
        later.close();
      } finally {
        stream.close();
      }
    });

    it("custom logs and OTLP spans are told too, one event per stored request", async () => {
      const traceId = `live-${randomUUID()}`;
      const otlpTraceId = randomHexId(16);
      const [helicone, otlp, all] = await Promise.all([traceEvents(traceId), traceEvents(otlpTraceId), requestEvents()]);
      try {
        const logged = await fetch(`${stack().app.url}/v1/trace/custom/log`, {
          method: "POST",
          headers: { authorization: `Bearer ${stack().app.apiKey}`, "content-type": "application/json", "Helicone-Node-Id": `${traceId}:tool` },
          body: JSON.stringify({ providerRequest: { url: "https://example.com/search", json: { _type: "tool", toolName: "search" } }, providerResponse: { status: 200, json: { hits: 3 } } }),
        });
        expect(logged.status).toBe(200);
        const { id } = await logged.json();
        expect((await helicone.waitFor(requestEvent(id))).data).toMatchObject({ nodeId: `${traceId}:tool`, source: "custom", provider: "tool" });

        const now = Date.now();
        const rootSpanId = randomHexId(8);
        const exported = await fetch(`${stack().app.url}/v1/traces`, {
          method: "POST",
          headers: { authorization: `Bearer ${stack().app.apiKey}`, "content-type": "application/json" },
          body: JSON.stringify(
            jsonExportRequest([
              { traceId: otlpTraceId, spanId: rootSpanId, name: "agent", startMs: now - 300, endMs: now },
              { traceId: otlpTraceId, spanId: randomHexId(8), parentSpanId: rootSpanId, name: "chat", startMs: now - 200, endMs: now - 100 },
            ]),
          ),
        });
        expect(exported.status).toBe(200);
        await otlp.waitFor(() => heard(otlp).length >= 2);
        expect(heard(otlp).map((e) => [e.traceId, e.source])).toEqual([
          [otlpTraceId, "otel"],
          [otlpTraceId, "otel"],
        ]);

        // The organization's stream heard all three; the trace streams only their own.
        const traceIds = () => heard(all).map((e) => e.traceId);
        await all.waitFor(() => traceIds().filter((t) => t === otlpTraceId).length === 2);
        expect(traceIds()).toContain(traceId);
        expect(heard(helicone)).toHaveLength(1);
      } finally {
        for (const stream of [helicone, otlp, all]) stream.close();
      }
    });

    it("another organization's streams, on the same trace id or the whole organization, hear nothing of it", async () => {
      const other = await otherOrganization();
      const traceId = `live-shared-${randomUUID()}`;
      const [mine, mineAll, theirs, theirsAll] = await Promise.all([
        traceEvents(traceId),
        requestEvents(),
        traceEvents(traceId, { apiKey: other.app.apiKey }),
        requestEvents({ apiKey: other.app.apiKey }),
      ]);
      const streams = [mine, mineAll, theirs, theirsAll];
      try {
        expect(streams.map((s) => s.status)).toEqual([200, 200, 200, 200]);
        const own = await complete(stack().openai(), `${traceId}:a`);
        const theirsSent = await complete(other.openai(), `${traceId}:b`);
        await Promise.all([mine.waitFor(requestEvent(own.id)), mineAll.waitFor(requestEvent(own.id)), theirs.waitFor(requestEvent(theirsSent.id)), theirsAll.waitFor(requestEvent(theirsSent.id))]);
        // Delivery is per batch and both were delivered above; give a stray event time to show anyway.
        await new Promise((resolve) => setTimeout(resolve, 300));
        const ids = (stream: EventStreamClient) => heard(stream).map((e) => e.id);
        expect(ids(mine)).toEqual([own.id]);
        expect(ids(theirs)).toEqual([theirsSent.id]);
        expect(ids(mineAll)).not.toContain(theirsSent.id);
        expect(ids(theirsAll)).toEqual([theirsSent.id]);
      } finally {
        for (const stream of streams) stream.close();
      }
    });

    it("without credentials, or with a wrong key, a stream is refused with 401; a trace id that cannot be one is a 400", async () => {
      for (const as of [{}, { apiKey: `sk-tw-wrong-${randomUUID()}` }]) {
        for (const stream of [await traceEvents("anything", as), await requestEvents(as)]) {
          expect(stream.status).toBe(401);
          expect(stream.errorBody.error.message).toMatch(/key|Sign in/);
        }
      }
      const bad = await traceEvents("a:b");
      expect(bad.status).toBe(400);
      expect(bad.errorBody.error.message).toMatch(/traceId/);
    });

    it("a signed-in dashboard user's session opens the stream, as for the rest of the read API", async () => {
      const cookie = await signIn(stack().app.url, ADMIN.email, ADMIN.password);
      expect(cookie).not.toBeNull();
      const traceId = `live-${randomUUID()}`;
      const stream = await traceEvents(traceId, { cookie: cookie! });
      try {
        expect(stream.status).toBe(200);
        const { id } = await complete(stack().openai(), traceId);
        expect((await stream.waitFor(requestEvent(id))).data.nodeId).toBe(traceId);
      } finally {
        stream.close();
      }
    });

    it("an idle stream sends keep-alive comments, then ends quietly with an end event; a client that leaves is unsubscribed", async () => {
      const health = async () => (await fetch(`${stack().app.url}/api/health`)).json();
      const idle = await traceEvents(`live-idle-${randomUUID()}`);
      const left = await requestEvents();
      expect((await health()).liveStreams).toBe(2);
      left.close();
      await expect.poll(async () => (await health()).liveStreams, { timeout: 5_000 }).toBe(1);

      const openedAt = performance.now();
      await idle.closed;
      const lastedMs = performance.now() - openedAt;
      expect(lastedMs).toBeGreaterThan(IDLE_TIMEOUT_SECONDS * 1000 - 500);
      expect(lastedMs).toBeLessThan(IDLE_TIMEOUT_SECONDS * 1000 + 2_000);
      expect(idle.comments).toContain("keep-alive");
      expect(idle.events.map(({ event, data }) => ({ event, data }))).toEqual([
        { event: "ready", data: { requestCount: 0 } },
        { event: "end", data: { reason: "idle" } },
      ]);
      expect((await health()).liveStreams).toBe(0);
    });
  },
  { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, LIVE_IDLE_TIMEOUT_SECONDS: String(IDLE_TIMEOUT_SECONDS) },
);
