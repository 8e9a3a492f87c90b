import OpenAI from "openai";
import { formatDuration, formatUsd } from "../../components/ui/format";
import type { TraceNodeDto, TraceResponse } from "../../lib/contracts/trace";
import { e2eEnv } from "./environment";
import { expect, screenshot, test } from "./fixtures";

// Wasted spend and where the time went, as a user reads them in the trace view. The trace is sent
// here through the real proxy with the openai SDK: an agent that searches three times one after
// another (one search fails and is retried), starts a streamed answer its user stops, then
// streams the final answer to its end.
const traceId = `e2e-waste-${Date.now().toString(36)}`;

test.beforeAll(async () => {
  const client = new OpenAI({ apiKey: "sk-e2e-provider", baseURL: `${e2eEnv("E2E_BASE_URL")}/v1`, defaultHeaders: { "Helicone-Auth": `Bearer ${e2eEnv("E2E_API_KEY")}` }, maxRetries: 0 });
  const headers = (node: string, extra: Record<string, string> = {}) => ({ "Helicone-Node-Id": node ? `${traceId}:${node}` : traceId, "Helicone-Property-Step": node || "report", ...extra });
  const ask = (content: string) => ({ model: "gpt-4o-mini", messages: [{ role: "user" as const, content }] });

  await client.chat.completions.create(ask("Plan the market report"), { headers: headers("", { "x-mock-latency-ms": "120" }) });
  await client.chat.completions.create(ask("Search: market size"), { headers: headers("search-1", { "x-mock-latency-ms": "250" }) });
  await client.chat.completions.create(ask("Search: competitors"), { headers: headers("search-2", { "x-mock-latency-ms": "200", "x-mock-error-status": "503" }) }).catch((error: unknown) => {
    if (!(error instanceof OpenAI.APIError)) throw error;
  });
  await client.chat.completions.create(ask("Search: competitors"), { headers: headers("search-2", { "x-mock-latency-ms": "300" }) });
  await client.chat.completions.create(ask("Search: pricing"), { headers: headers("search-3", { "x-mock-latency-ms": "220" }) });

  const abort = new AbortController();
  const stopped = await client.chat.completions.create(
    { ...ask("Draft the report"), stream: true },
    { signal: abort.signal, headers: headers("draft", { "x-mock-latency-ms": "150", "x-mock-chunk-delay-ms": "30", "x-mock-completion-tokens": "60" }) },
  );
  let chunks = 0;
  try {
    for await (const chunk of stopped) if (chunk.choices[0]?.delta.content && ++chunks === 3) abort.abort();
  } catch (error) {
    if (!(error instanceof OpenAI.APIUserAbortError)) throw error;
  }
  const final = await client.chat.completions.create(
    { ...ask("Write the final report"), stream: true, stream_options: { include_usage: true } },
    { headers: headers("final", { "x-mock-latency-ms": "400", "x-mock-chunk-delay-ms": "10", "x-mock-completion-tokens": "40" }) },
  );
  for await (const chunk of final) void chunk;

  // The proxy logs off the request path: wait until all 7 calls are stored.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const response = await fetch(`${e2eEnv("E2E_BASE_URL")}/api/v1/requests?traceId=${traceId}&limit=100`, { headers: { authorization: `Bearer ${e2eEnv("E2E_API_KEY")}` } });
    if (((await response.json()) as { data: unknown[] }).data.length >= 7) break;
    if (Date.now() > deadline) throw new Error("the seeded calls were not all logged");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

const node = (trace: TraceResponse, id: string): TraceNodeDto => trace.nodes.find((n) => n.id === (id ? `${traceId}:${id}` : traceId))!;

test("the header shows the trace's wasted spend and the node panel its subtree's", async ({ page, apiGet }) => {
  const trace = await apiGet<TraceResponse>(`/api/v1/traces/${traceId}`);
  expect(trace.metrics.wastedCost).toBeGreaterThan(0);
  expect(node(trace, "draft").requests[0]!.cancelled).toBe(true);

  await page.goto(`/traces/${traceId}`);
  await expect(page.getByLabel("Trace metrics").getByTestId("trace-wasted")).toHaveText(`${formatUsd(trace.metrics.wastedCost)} · ${formatDuration(trace.metrics.wastedDurationMs)}`);

  await page.locator(`[data-node-id="${traceId}:search-2"]`).click();
  const details = page.getByRole("complementary", { name: "Node details" });
  const retried = node(trace, "search-2");
  await expect(details.getByTestId("subtree-wasted-cost")).toHaveText(formatUsd(retried.subtreeWastedCost));
  await expect(details.getByTestId("subtree-wasted-time")).toHaveText(formatDuration(retried.subtreeWastedDurationMs));
  expect(retried.subtreeWastedDurationMs).toBeGreaterThan(0);

  // The final answer's card may sit outside the canvas beside the panel: select it by its link.
  await page.goto(`/traces/${traceId}?node=${encodeURIComponent(`${traceId}:final`)}`);
  await expect(details.getByTestId("subtree-wasted-cost")).toHaveText("$0");
  await expect(details.getByTestId("subtree-wasted-time")).toHaveText("0 ms");
  await screenshot(page, "trace-waste");
});

test("the critical path shows a stream's first-token wait against generation, and what running sequential calls at once could save", async ({ page, apiGet }) => {
  const trace = await apiGet<TraceResponse>(`/api/v1/traces/${traceId}`);
  const root = node(trace, "");
  const children = trace.nodes.filter((n) => n.parentId === root.id);
  const spans = children.map((n) => [Date.parse(n.startTime), Date.parse(n.endTime)] as const);
  const savingsMs = Math.max(...spans.map(([, end]) => end)) - Math.min(...spans.map(([start]) => start)) - Math.max(...spans.map(([start, end]) => end - start));
  expect(children.length).toBe(5);
  expect(root.onCriticalPath).toBe(true);

  await page.goto(`/traces/${traceId}`);
  const strip = page.getByRole("region", { name: "Critical path time" });
  await expect(strip.getByTestId("critical-path-savings")).toContainText(`could save ${formatDuration(savingsMs)} by running these 5 calls at once`);

  const final = node(trace, "final");
  const answer = final.requests[0]!;
  expect(final.onCriticalPath).toBe(true);
  expect(answer.timeToFirstTokenMs).not.toBeNull();
  const firstTokenMs = answer.timeToFirstTokenMs!;
  await page.getByLabel("Search in trace").fill("final");
  await page.getByLabel("Search in trace").press("Enter");
  const split = page.getByRole("complementary", { name: "Node details" }).getByTestId("node-first-token-split");
  await expect(split).toContainText(`${formatDuration(firstTokenMs)} to first token`);
  await expect(split).toContainText(`${formatDuration(answer.latencyMs - firstTokenMs)} generating`);

  // The hint leads to the parent whose calls ran one after another; its panel says it again.
  await strip.getByTestId("critical-path-savings").click();
  await expect(page).toHaveURL(new RegExp(`node=${encodeURIComponent(traceId)}(&|$)`));
  await expect(page.getByRole("complementary", { name: "Node details" }).getByTestId("node-parallel-savings")).toContainText(`could save ${formatDuration(savingsMs)}`);

  // On the timeline, the critical streams' bars mark where the first token came.
  await page.getByRole("tab", { name: "Timeline" }).click();
  const finalRow = page.getByLabel("Trace timeline").locator(`[data-node-id="${traceId}:final"]`);
  await expect(finalRow.getByTestId("first-token-mark")).toHaveAttribute("title", `${formatDuration(firstTokenMs)} to first token · ${formatDuration(answer.latencyMs - firstTokenMs)} generating`);
  await screenshot(page, "trace-critical-path-time");
});

test("in the demo data, the support agent's failed and retried steps show as wasted spend", async ({ page, apiGet }) => {
  const { data } = await apiGet<{ data: { traceId: string }[] }>("/api/v1/requests?property.step=order_lookup&limit=10");
  const demoTraceId = data[0]!.traceId;
  const trace = await apiGet<TraceResponse>(`/api/v1/traces/${demoTraceId}`);
  // The lookup's failed first attempt, and the fraud and payment checks that kept failing.
  expect(trace.metrics.wastedDurationMs).toBeGreaterThan(0);
  await page.goto(`/traces/${demoTraceId}`);
  await expect(page.getByTestId("trace-wasted")).toHaveText(`${formatUsd(trace.metrics.wastedCost)} · ${formatDuration(trace.metrics.wastedDurationMs)}`);
});
