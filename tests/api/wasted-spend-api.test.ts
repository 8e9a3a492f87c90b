import { randomUUID } from "node:crypto";
import OpenAI from "openai";
import { expect, it } from "vitest";
import type { TraceNodeDto, TraceRequestDto, TraceResponse } from "../../lib/contracts/trace";
import { uniqueTag } from "../helpers/logged-requests";
import { describeOnEachDatabase } from "../helpers/test-stack";

// GET /api/v1/traces/{traceId}: metrics.wastedCost, metrics.wastedDurationMs and per node
// subtreeWastedCost / subtreeWastedDurationMs, for a trace with a failed call, a retried node and
// a cancelled stream, sent as an application sends them (the openai SDK through the proxy, or the
// custom log with chosen times).
describeOnEachDatabase("wasted spend in the trace API", (stack) => {
  const ask = (content: string) => ({ model: "gpt-4o-mini", messages: [{ role: "user" as const, content }] });

  async function trace(traceId: string): Promise<TraceResponse> {
    const { status, body } = await stack().api<TraceResponse>(`/api/v1/traces/${traceId}`);
    expect(status, JSON.stringify(body)).toBe(200);
    return body;
  }

  const nodeOf = (body: TraceResponse, id: string): TraceNodeDto => body.nodes.find((node) => node.id === id)!;
  const span = (request: TraceRequestDto) => ({ startMs: Date.parse(request.startTime), endMs: Date.parse(request.endTime) });

  /** Union length of intervals, written out for the test: sort by start, merge, add up. */
  function unionMs(intervals: { startMs: number; endMs: number }[]): number {
    let total = 0;
    let runStart = 0;
    let runEnd = Number.NEGATIVE_INFINITY;
    for (const { startMs, endMs } of [...intervals].sort((a, b) => a.startMs - b.startMs)) {
      if (startMs > runEnd) {
        if (runEnd > runStart) total += runEnd - runStart;
        [runStart, runEnd] = [startMs, endMs];
      } else runEnd = Math.max(runEnd, endMs);
    }
    return runEnd > runStart ? total + runEnd - runStart : total;
  }

  it("a failed call, an attempt a retry replaced and a cancelled stream are wasted; the answers that stood are not", async () => {
    const tag = uniqueTag();
    const traceId = randomUUID();
    const client = (node: string) => stack().openai({ "Helicone-Property-Case": tag, "Helicone-Node-Id": node ? `${traceId}:${node}` : traceId });

    await client("").chat.completions.create(ask("Plan the research"));
    // The first plan (its answer rejected by the app, so planned again) and a failing search run side by side.
    await Promise.all([
      client("plan").chat.completions.create(ask("Draft a plan"), { headers: { "x-mock-latency-ms": "300" } }),
      expect(client("search").chat.completions.create(ask("Search the web"), { headers: { "x-mock-error-status": "500", "x-mock-latency-ms": "200" } })).rejects.toThrow(),
    ]);
    await client("plan").chat.completions.create(ask("Draft a plan, shorter"));
    // The user stops a streamed answer after a few chunks.
    const abort = new AbortController();
    const stream = await client("answer").chat.completions.create(
      { ...ask("Write the answer"), stream: true },
      { signal: abort.signal, headers: { "x-mock-chunk-delay-ms": "30", "x-mock-completion-tokens": "60" } },
    );
    let chunks = 0;
    try {
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content && ++chunks === 4) abort.abort();
    } catch (error) {
      expect(error).toBeInstanceOf(OpenAI.APIUserAbortError);
    }
    expect(chunks).toBe(4);
    // A streamed summary read to its end.
    const summary = await client("summary").chat.completions.create({ ...ask("Summarise"), stream: true }, { headers: { "x-mock-chunk-delay-ms": "5" } });
    let summaryText = "";
    for await (const chunk of summary) summaryText += chunk.choices[0]?.delta.content ?? "";
    expect(summaryText).not.toBe("");
    await stack().waitForRequests(`property.case=${tag}`, 6);

    const body = await trace(traceId);
    const [replacedPlan, standingPlan] = nodeOf(body, `${traceId}:plan`).requests;
    const [failedSearch] = nodeOf(body, `${traceId}:search`).requests;
    const [cancelledAnswer] = nodeOf(body, `${traceId}:answer`).requests;
    expect(replacedPlan!.status).toBe(200);
    expect(standingPlan!.status).toBe(200);
    expect(failedSearch!.status).toBe(500);
    expect(cancelledAnswer).toMatchObject({ cancelled: true, stream: true });

    const wasted = [replacedPlan!, failedSearch!, cancelledAnswer!];
    const costOf = (requests: TraceRequestDto[]) => requests.reduce((sum, r) => sum + (r.cost ?? 0), 0);
    expect(replacedPlan!.cost).toBeGreaterThan(0);
    expect(body.metrics.wastedCost).toBeCloseTo(costOf(wasted), 12);
    expect(body.metrics.wastedCost).toBeLessThan(body.metrics.totalCost);
    // The replaced plan and the failed search overlapped: their shared time counts once.
    const sideBySide = [replacedPlan!, failedSearch!].map(span);
    expect(unionMs(sideBySide)).toBeLessThan(sideBySide.reduce((sum, s) => sum + s.endMs - s.startMs, 0));
    expect(body.metrics.wastedDurationMs).toBe(unionMs(wasted.map(span)));

    const subtree = (node: string) => {
      const dto = nodeOf(body, node ? `${traceId}:${node}` : traceId);
      return { cost: dto.subtreeWastedCost, durationMs: dto.subtreeWastedDurationMs };
    };
    expect(subtree("")).toEqual({ cost: body.metrics.wastedCost, durationMs: body.metrics.wastedDurationMs });
    expect(subtree("plan").cost).toBeCloseTo(replacedPlan!.cost!, 12);
    expect(subtree("plan").durationMs).toBe(unionMs([span(replacedPlan!)]));
    expect(subtree("search")).toEqual({ cost: failedSearch!.cost ?? 0, durationMs: unionMs([span(failedSearch!)]) });
    expect(subtree("answer").cost).toBeCloseTo(cancelledAnswer!.cost ?? 0, 12);
    expect(subtree("summary")).toEqual({ cost: 0, durationMs: 0 });

    // One definition: the Dashboard's wasted spend over the same requests is the same figure.
    const { body: dashboard } = await stack().api(`/api/v1/metrics/summary?property.case=${tag}`);
    expect(dashboard.wastedCost).toBeCloseTo(body.metrics.wastedCost, 12);
  });

  async function customLog(apiKey: string, nodeId: string, tag: string, call: { startMs: number; endMs: number; status: number }): Promise<void> {
    const response = await fetch(`${stack().app.url}/v1/trace/custom/log`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", "Helicone-Property-Case": tag, "Helicone-Node-Id": nodeId },
      body: JSON.stringify({
        providerRequest: { url: "https://api.openai.com/v1/chat/completions", json: ask("logged by the caller"), meta: {} },
        providerResponse: {
          // -3: Helicone's loggers' status for a call its client cancelled
          status: call.status,
          json: {
            id: "chatcmpl-1",
            object: "chat.completion",
            model: "gpt-4o-mini",
            choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
            usage: { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 },
          },
          headers: {},
        },
        timing: { startTime: call.startMs, endTime: call.endMs },
      }),
    });
    expect(response.status, await response.text()).toBe(200);
  }

  it("wasted time is the wall-clock time with a wasted call running, each subtree counting only its own", async () => {
    const tag = uniqueTag();
    const traceId = randomUUID();
    const t0 = Date.now() - 60_000;
    const log = (node: string, startMs: number, endMs: number, status = 200) =>
      customLog(stack().app.apiKey, node ? `${traceId}:${node}` : traceId, tag, { startMs: t0 + startMs, endMs: t0 + endMs, status });
    // Logged out of order, as several workers would.
    await Promise.all([
      log("", 0, 1000),
      log("draft", 350, 500),
      log("draft", 100, 300), // the first draft, replaced by the retry at 350
      log("lookup", 200, 400, 500), // failed, overlapping the first draft: [100, 400) is 300 ms
      log("reply", 600, 900, -3), // cancelled: 300 ms more
    ]);
    await stack().waitForRequests(`property.case=${tag}`, 5);

    const body = await trace(traceId);
    const costs = Object.fromEntries(body.nodes.map((node) => [node.id.slice(traceId.length), node.requests.map((r) => r.cost ?? 0)]));
    expect(nodeOf(body, `${traceId}:reply`).requests[0]).toMatchObject({ cancelled: true });
    expect(body.metrics.wastedDurationMs).toBe(600);
    expect(body.metrics.wastedCost).toBeCloseTo(costs[":draft"]![0]! + costs[":lookup"]![0]! + costs[":reply"]![0]!, 12);
    expect(body.metrics.wastedCost).toBeGreaterThan(0);
    const subtreeTimes = Object.fromEntries(body.nodes.map((node) => [node.id.slice(traceId.length), node.subtreeWastedDurationMs]));
    expect(subtreeTimes).toEqual({ "": 600, ":draft": 200, ":lookup": 200, ":reply": 300 });
    expect(nodeOf(body, `${traceId}:draft`).subtreeWastedCost).toBeCloseTo(costs[":draft"]![0]!, 12);
  });

  it("a trace where every call stood reports no waste", async () => {
    const tag = uniqueTag();
    const traceId = randomUUID();
    const as = (node: string) => stack().openai({ "Helicone-Property-Case": tag, "Helicone-Node-Id": node });
    await as(traceId).chat.completions.create(ask("one"));
    await as(`${traceId}:two`).chat.completions.create(ask("two"));
    await stack().waitForRequests(`property.case=${tag}`, 2);
    const body = await trace(traceId);
    expect(body.metrics).toMatchObject({ wastedCost: 0, wastedDurationMs: 0 });
    expect(body.nodes.map((node) => [node.subtreeWastedCost, node.subtreeWastedDurationMs])).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });
});
