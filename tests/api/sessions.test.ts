import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { uniqueTag } from "../helpers/logged-requests";
import { describeOnEachDatabase } from "../helpers/test-stack";

describeOnEachDatabase("sessions and properties", (stack) => {
  const ask = (content: string) => ({ model: "gpt-4o-mini", messages: [{ role: "user" as const, content }] });

  async function postCustomLog(body: unknown, headers: Record<string, string>) {
    const response = await fetch(`${stack().app.url}/v1/trace/custom/log`, {
      method: "POST",
      headers: { Authorization: `Bearer ${stack().app.apiKey}`, "Content-Type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { id: string }).id;
  }

  it("GET /api/v1/sessions/{id} returns the session's requests in time order, both of its traces, and first start → last end", async () => {
    const sessionId = uniqueTag("session");
    const session = { "Helicone-Session-Id": sessionId, "Helicone-Session-Name": "Trip planning", "Helicone-User-Id": "user-7" };
    const traceA = randomUUID();
    const traceB = randomUUID();

    await stack().openai(session).chat.completions.create(ask("Plan a trip"), { headers: { "Helicone-Node-Id": traceA, "x-mock-latency-ms": "40" } });
    await stack()
      .anthropic({ ...session, "Helicone-Node-Id": `${traceA}:hotels` })
      .messages.create({ model: "claude-sonnet-4-5", max_tokens: 64, messages: [{ role: "user", content: "Find hotels" }] });
    await stack().openai(session).chat.completions.create(ask("Follow-up question"), { headers: { "Helicone-Node-Id": traceB } });
    await stack().openai(session).chat.completions.create(ask("Small talk, untraced"), { headers: { "x-mock-latency-ms": "60" } });
    // Logged last, but it happened first: a minute before everything else.
    const earliestStart = Date.now() - 60_000;
    const customId = await postCustomLog(
      {
        providerRequest: { url: "https://api.anthropic.com/v1/messages", json: { model: "claude-3-opus-20240229", messages: [] } },
        providerResponse: { status: 200, json: { type: "message", model: "claude-3-opus-20240229", content: [], usage: { input_tokens: 5, output_tokens: 7 } } },
        timing: { startTime: earliestStart, endTime: earliestStart + 300 },
        provider: "anthropic",
      },
      session,
    );
    // Another session's request stays out.
    await stack().openai({ "Helicone-Session-Id": uniqueTag("other-session") }).chat.completions.create(ask("Unrelated"));

    const rows = await stack().waitForRequests(`sessionId=${encodeURIComponent(sessionId)}`, 5);
    const { status, body } = await stack().api(`/api/v1/sessions/${encodeURIComponent(sessionId)}`);
    expect(status).toBe(200);

    expect(body).toMatchObject({ sessionId, name: "Trip planning", userIds: ["user-7"], requestCount: 5, costComplete: true });
    const starts = body.requests.map((request: any) => Date.parse(request.startTime));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(body.requests[0].id).toBe(customId);
    expect(body.requests.map((request: any) => request.id).sort()).toEqual(rows.map((row: any) => row.id).sort());
    expect(body.requests.every((request: any) => request.sessionId === sessionId)).toBe(true);

    const ends = body.requests.map((request: any) => Date.parse(request.endTime));
    expect(body.startTime).toBe(new Date(earliestStart).toISOString());
    expect(body.endTime).toBe(new Date(Math.max(...ends)).toISOString());
    expect(body.durationMs).toBe(Math.max(...ends) - earliestStart);
    expect(body.totalCost).toBeCloseTo(body.requests.reduce((sum: number, request: any) => sum + request.cost, 0), 12);

    const traces = Object.fromEntries(body.traces.map((trace: any) => [trace.traceId, trace]));
    expect(Object.keys(traces).sort()).toEqual([traceA, traceB].sort());
    expect(traces[traceA].metrics).toMatchObject({ nodeCount: 2, maxDepth: 2, successRate: 1 });
    expect(traces[traceB].metrics).toMatchObject({ nodeCount: 1, maxDepth: 1 });
  });

  it("a session id with spaces, slashes and accents is found when URL-encoded", async () => {
    // Header values are ASCII; a custom log's meta can carry any text.
    const sessionId = `Café chat / ${randomUUID()} #1?`;
    const id = await postCustomLog(
      {
        providerRequest: { url: "https://api.openai.com/v1/chat/completions", json: ask("Bonjour"), meta: { "Helicone-Session-Id": sessionId } },
        providerResponse: { status: 200, json: { object: "chat.completion", model: "gpt-4o-mini", choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } } },
        provider: "openai",
      },
      {},
    );
    const { status, body } = await stack().api(`/api/v1/sessions/${encodeURIComponent(sessionId)}`);
    expect(status).toBe(200);
    expect(body.sessionId).toBe(sessionId);
    expect(body.requests.map((request: any) => request.id)).toEqual([id]);
  });

  it("an unknown session is a 404 in the API's error shape", async () => {
    const { status, body } = await stack().api(`/api/v1/sessions/${uniqueTag("never-used")}`);
    expect(status).toBe(404);
    expect(body).toEqual({ error: { code: "not_found", message: expect.stringContaining("session") } });
  });

  it("property keys match case-insensitively: Helicone-Property-Env is found by property.ENV= and property.env=", async () => {
    const marker = uniqueTag();
    const openai = stack().openai({ "Helicone-Property-Marker": marker });
    await openai.chat.completions.create(ask("staging call"), { headers: { "Helicone-Property-Env": "staging" } });
    await openai.chat.completions.create(ask("production call"), { headers: { "helicone-property-ENV": "production" } });
    await stack().waitForRequests(`property.marker=${marker}`, 2);

    for (const key of ["ENV", "env", "Env"]) {
      const { status, body } = await stack().api(`/api/v1/requests?property.marker=${marker}&property.${key}=staging`);
      expect(status).toBe(200);
      expect(body.data, `property.${key}=staging`).toHaveLength(1);
      expect(body.data[0].properties).toEqual({ marker, env: "staging" });
    }
    const production = await stack().api(`/api/v1/requests?property.MARKER=${marker}&property.env=production`);
    expect(production.body.data.map((row: any) => row.properties.env)).toEqual(["production"]);
  });
});
