import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { sdk } from "../helpers/otel-sdk";
import { uniqueTag } from "../helpers/logged-requests";
import { describeOnEachDatabase } from "../helpers/test-stack";

// GET /api/v1/traces/compare as a program holding an API key uses it: two runs of the same agent,
// logged by the real openai SDK through the proxy (against the mock provider), by the custom log
// endpoint and by the OpenTelemetry SDK, then compared.
describeOnEachDatabase("comparing two traces", (stack) => {
  const compare = async (a: string, b: string) => {
    const { status, body } = await stack().api(`/api/v1/traces/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
    expect(status, JSON.stringify(body)).toBe(200);
    return body;
  };
  const trace = async (traceId: string) => {
    const { status, body } = await stack().api(`/api/v1/traces/${encodeURIComponent(traceId)}`);
    expect(status).toBe(200);
    return body;
  };
  const byPath = (body: any) => new Map<string, any>(body.nodes.map((node: any) => [node.path, node]));

  /** One run of a trip-planning agent; `today` is slower at search, fails to book, words its answer differently and reviews instead of cleaning up. */
  async function runAgent(traceId: string, tag: string, today: boolean) {
    const client = stack().openai({ "Helicone-Property-Case": tag });
    const ask = (node: string, content: string, headers: Record<string, string> = {}, model = "gpt-4o-mini") =>
      client.chat.completions.create({ model, messages: [{ role: "user", content }] }, { headers: { "Helicone-Node-Id": `${traceId}:${node}`, ...headers } }).catch((error) => {
        if (!headers["x-mock-error-status"]) throw error;
      });
    await ask("plan", "Plan a trip to Kyoto");
    await ask("plan:search", "Find hotels in Kyoto", { "x-mock-latency-ms": today ? "900" : "0" });
    await ask("plan:book", "Book a tea ceremony", today ? { "x-mock-error-status": "503" } : {});
    await ask("plan:summary", "Summarise the plan", {}, today ? "gpt-4o" : "gpt-4o-mini");
    await ask("plan:answer", today ? "Write a short itinerary" : "Write the itinerary");
    await ask(today ? "plan:review" : "plan:cleanup", today ? "Review the itinerary" : "Clean up the notes");
    await stack().waitForRequests(`property.case=${tag}&traceId=${traceId}`, 6);
  }

  it("two runs of an agent through the proxy: slower, failed, other model, other prompt, a step added and one removed", async () => {
    const tag = uniqueTag();
    const [yesterday, today] = [`trip-${randomUUID()}`, `trip-${randomUUID()}`];
    await runAgent(yesterday, tag, false);
    await runAgent(today, tag, true);

    const body = await compare(yesterday, today);
    const [traceA, traceB] = [await trace(yesterday), await trace(today)];
    expect(body.a).toEqual({ traceId: yesterday, metrics: traceA.metrics });
    expect(body.b).toEqual({ traceId: today, metrics: traceB.metrics });
    expect(body.deltas.totalDurationMs).toBe(traceB.metrics.totalDurationMs - traceA.metrics.totalDurationMs);
    expect(body.deltas.nodeCount).toBe(0);
    expect(body.deltas.maxDepth).toBe(0);
    expect(body.deltas.successRate).toBeCloseTo(-1 / 6, 12);
    expect(body.deltas.totalCost).toBeCloseTo(traceB.metrics.totalCost - traceA.metrics.totalCost, 12);

    const nodes = byPath(body);
    expect([...nodes.keys()]).toEqual(["", "plan", "plan:search", "plan:book", "plan:summary", "plan:answer", "plan:review", "plan:cleanup"]);
    // The same prompt gets the same answer: a new completion id and time are no change of content.
    for (const path of ["plan", "plan:search"]) expect(nodes.get(path).contentChanged, path).toBe(false);
    // Proxy timings jitter: on the steps that did not change, latency is the only change allowed.
    expect(nodes.get("plan").changes.filter((change: string) => change !== "latency")).toEqual([]);

    const search = nodes.get("plan:search");
    expect(search.status).toBe("changed");
    expect(search.changes).toContain("latency");
    expect(search.deltas.latencyMs).toBeGreaterThan(800);
    expect(search.deltas.latencyMs).toBe(search.b.latencyMs - search.a.latencyMs);

    const book = nodes.get("plan:book");
    expect(book).toMatchObject({ status: "changed", a: { statusCode: 200 }, b: { statusCode: 503 }, deltas: { statusCode: 303 } });
    expect(book.changes).toContain("status");

    const summary = nodes.get("plan:summary");
    expect(summary).toMatchObject({ a: { model: "gpt-4o-mini" }, b: { model: "gpt-4o" }, contentChanged: false });
    expect(summary.changes).toEqual(expect.arrayContaining(["model", "cost"]));
    expect(summary.deltas.cost).toBeGreaterThan(0);

    const answer = nodes.get("plan:answer");
    expect(answer).toMatchObject({ status: "changed", contentChanged: true });
    expect(answer.changes).toContain("content");

    expect(nodes.get("plan:review")).toMatchObject({ status: "added", a: null, b: { nodeId: `${today}:plan:review` }, contentChanged: null });
    expect(nodes.get("plan:cleanup")).toMatchObject({ status: "removed", a: { nodeId: `${yesterday}:plan:cleanup` }, b: null });
    // The root was never logged in either run: a virtual node on both sides, the same.
    expect(nodes.get("")).toMatchObject({ status: "same", parentPath: null, a: { virtual: true, requestId: null }, b: { virtual: true } });

    // Added and removed are the set differences of the two traces' node paths.
    const paths = (doc: any, traceId: string) => new Set<string>(doc.nodes.map((n: any) => (n.id === traceId ? "" : n.id.slice(traceId.length + 1))));
    const [pathsA, pathsB] = [paths(traceA, yesterday), paths(traceB, today)];
    expect(body.nodes.filter((n: any) => n.status === "added").map((n: any) => n.path)).toEqual([...pathsB].filter((p) => !pathsA.has(p)));
    expect(body.nodes.filter((n: any) => n.status === "removed").map((n: any) => n.path)).toEqual([...pathsA].filter((p) => !pathsB.has(p)));
  });

  it("a trace compared with itself is the same everywhere, with zero deltas", async () => {
    const tag = uniqueTag();
    const traceId = `trip-${randomUUID()}`;
    await runAgent(traceId, tag, true);
    const body = await compare(traceId, traceId);
    expect(body.nodes.map((n: any) => n.status)).toEqual(body.nodes.map(() => "same"));
    expect(Object.values(body.deltas)).toEqual(Object.values(body.deltas).map(() => 0));
    for (const node of body.nodes) {
      for (const [key, delta] of Object.entries(node.deltas)) expect(delta === null || delta === 0, `${node.path} ${key}`).toBe(true);
      expect(node.contentChanged).toBe(false);
    }
  });

  /** A call logged by the caller with exact times: latencies are what the test says. */
  async function customLog(nodeId: string, tag: string, latencyMs: number, answer = "ok") {
    const start = Date.now() - 60_000;
    const response = await fetch(`${stack().app.url}/v1/trace/custom/log`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack().app.apiKey}`, "content-type": "application/json", "Helicone-Node-Id": nodeId, "Helicone-Property-Case": tag },
      body: JSON.stringify({
        providerRequest: { url: "https://api.openai.com/v1/chat/completions", json: { model: "gpt-4o-mini", messages: [{ role: "user", content: "Classify this ticket" }] } },
        providerResponse: {
          status: 200,
          json: { id: `chatcmpl-${randomUUID()}`, object: "chat.completion", created: Math.floor(start / 1000), model: "gpt-4o-mini", choices: [{ index: 0, message: { role: "assistant", content: answer }, finish_reason: "stop" }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } },
        },
        timing: { startTime: start, endTime: start + latencyMs },
        provider: "openai",
      }),
    });
    expect(response.status, await response.text()).toBe(200);
  }

  it("custom logs with exact times: latency changes only beyond max(100 ms, 20 %); a different answer is changed content", async () => {
    const tag = uniqueTag();
    const [a, b] = [`batch-${randomUUID()}`, `batch-${randomUUID()}`];
    await customLog(`${a}:within`, tag, 1000);
    await customLog(`${a}:beyond`, tag, 1000);
    await customLog(`${a}:short`, tag, 50);
    await customLog(`${a}:answer`, tag, 10, "billing");
    await customLog(`${b}:within`, tag, 1200);
    await customLog(`${b}:beyond`, tag, 1201);
    await customLog(`${b}:short`, tag, 150);
    await customLog(`${b}:answer`, tag, 10, "refund");
    await stack().waitForRequests(`property.case=${tag}`, 8);

    const nodes = byPath(await compare(a, b));
    expect(nodes.get("within")).toMatchObject({ status: "same", changes: [], deltas: { latencyMs: 200 } });
    expect(nodes.get("beyond")).toMatchObject({ status: "changed", changes: ["latency"], deltas: { latencyMs: 201 } });
    expect(nodes.get("short")).toMatchObject({ status: "same", deltas: { latencyMs: 100 } });
    expect(nodes.get("answer")).toMatchObject({ status: "changed", changes: ["content"], contentChanged: true, deltas: { latencyMs: 0, cost: 0, promptTokens: 0, completionTokens: 0, statusCode: 0 } });
  });

  it("OpenTelemetry spans without a Helicone path align by their chain of span names", async () => {
    const run = async (slowChat: boolean, withTool: boolean) => {
      const otel = sdk(new OTLPTraceExporter({ url: `${stack().app.url}/v1/traces`, headers: { authorization: `Bearer ${stack().app.apiKey}` } }));
      const t0 = Date.now() - 60_000;
      const root = otel.open("agent.run", t0, null);
      otel.span("chat", t0 + 10, t0 + 110, root, { "gen_ai.request.model": "gpt-4o-mini", "gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "Plan" });
      if (withTool) otel.span("tool.search", t0 + 120, t0 + 130, root);
      otel.span("chat", t0 + 200, t0 + (slowChat ? 900 : 300), root, { "gen_ai.request.model": "gpt-4o-mini", "gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "Answer" });
      root.end(t0 + 1000);
      await otel.shutdown();
      expect(otel.results.every((code) => code === 0)).toBe(true);
      return root.spanContext().traceId;
    };
    const a = await run(false, false);
    const b = await run(true, true);

    const body = await compare(a, b);
    expect(body.nodes.map((n: any) => [n.path, n.parentPath, n.status])).toEqual([
      ["agent.run[0]", null, "same"],
      ["agent.run[0] > chat[0]", "agent.run[0]", "same"],
      ["agent.run[0] > tool.search[0]", "agent.run[0]", "added"],
      ["agent.run[0] > chat[1]", "agent.run[0]", "changed"],
    ]);
    expect(byPath(body).get("agent.run[0] > chat[1]")).toMatchObject({ changes: ["latency"], deltas: { latencyMs: 600 } });
  });

  it("a missing, empty or unknown trace id is a 4xx that says which", async () => {
    const api = stack().api;
    const missing = await api("/api/v1/traces/compare?a=x");
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/^b: .*second trace/);
    expect((await api("/api/v1/traces/compare")).body.error.message).toMatch(/a: .*first trace.*; b: /);
    const empty = await api("/api/v1/traces/compare?a=%20&b=y");
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/^a: .*empty/);

    const tag = uniqueTag();
    const known = `known-${randomUUID()}`;
    await customLog(known, tag, 10);
    await stack().waitForRequests(`property.case=${tag}`, 1);
    const unknownB = await api(`/api/v1/traces/compare?a=${known}&b=${randomUUID()}`);
    expect(unknownB).toEqual({ status: 404, body: { error: { code: "not_found", message: "trace b not found" } } });
    expect((await api(`/api/v1/traces/compare?a=${randomUUID()}&b=${known}`)).body.error.message).toBe("trace a not found");

    const anonymous = await fetch(`${stack().app.url}/api/v1/traces/compare?a=${known}&b=${known}`);
    expect(anonymous.status).toBe(401);
  });
});
