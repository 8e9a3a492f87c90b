import OpenAI from "openai";
import { formatDuration } from "../../components/ui/format";
import { e2eEnv } from "./environment";
import { expect, screenshot, test } from "./fixtures";

// Live traces: while the view is open, nodes stored by an agent still running appear by
// themselves (Server-Sent Events), and the user's place in the view stays where it was.

function agent() {
  return new OpenAI({ apiKey: "sk-e2e-provider", baseURL: `${e2eEnv("E2E_BASE_URL")}/v1`, defaultHeaders: { "Helicone-Auth": `Bearer ${e2eEnv("E2E_API_KEY")}` }, maxRetries: 0 });
}

async function step(client: OpenAI, nodeId: string, latencyMs: number, properties: Record<string, string> = {}): Promise<void> {
  await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: `step ${nodeId}` }] }, { headers: { "Helicone-Node-Id": nodeId, "x-mock-latency-ms": String(latencyMs), ...properties } });
}

test("an open trace shows a node logged meanwhile within about a second, without a reload, keeping the selection and zoom", async ({ page, apiGet }) => {
  const traceId = `e2e-live-${Date.now().toString(36)}`;
  const client = agent();
  await step(client, `${traceId}:plan`, 40);
  await step(client, `${traceId}:plan:search`, 60);
  await expect.poll(async () => (await page.request.get(`/api/v1/traces/${traceId}`)).status()).toBe(200);
  await expect.poll(async () => (await apiGet(`/api/v1/traces/${traceId}`)).metrics.nodeCount).toBe(2);

  await page.goto(`/traces/${traceId}`);
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  const metrics = page.getByLabel("Trace metrics");
  await expect(metrics).toContainText("Node count2");

  // The user's place: a selected node, and a zoom of their own.
  await page.locator(`[data-node-id="${traceId}:plan:search"]`).click();
  await expect(page).toHaveURL(new RegExp(`node=${encodeURIComponent(`${traceId}:plan:search`)}`));
  await page.getByRole("button", { name: "Zoom out" }).click();
  const viewport = page.locator(".react-flow__viewport");
  await expect.poll(() => viewport.getAttribute("style")).toMatch(/scale/);
  await page.waitForTimeout(400); // the zoom animation settles
  const zoomedTo = await viewport.getAttribute("style");
  await page.evaluate(() => ((window as unknown as { stillTheSamePage: boolean }).stillTheSamePage = true));

  await step(client, `${traceId}:plan:book`, 450);
  const answeredAt = Date.now();
  await expect(page.locator(`[data-node-id="${traceId}:plan:book"]`)).toBeVisible({ timeout: 1_500 });
  await expect(metrics).toContainText("Node count3", { timeout: 1_500 });
  const shownAfterMs = Date.now() - answeredAt;
  expect(shownAfterMs).toBeLessThan(1_500);
  test.info().annotations.push({ type: "shown after (ms)", description: String(shownAfterMs) });

  const trace = await apiGet(`/api/v1/traces/${traceId}`);
  await expect(metrics).toContainText(formatDuration(trace.metrics.totalDurationMs));
  expect(await page.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(true);
  await expect(page).toHaveURL(new RegExp(`node=${encodeURIComponent(`${traceId}:plan:search`)}`));
  await expect(page.getByRole("complementary", { name: "Node details" })).toContainText(`${traceId}:plan:search`);
  expect(await viewport.getAttribute("style")).toBe(zoomedTo);
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  await screenshot(page, "live-trace");
});

test("the Requests page's auto-refresh shows a request stored meanwhile, without clicking Refresh", async ({ page }) => {
  const tag = `e2e-live-${Date.now().toString(36)}`;
  await page.goto("/requests?live=1");
  await expect(page.getByRole("img", { name: "live" })).toBeVisible();
  // The list is fetched again as the stream opens: let that pass, so only an event can bring the row.
  await page.waitForTimeout(1_000);
  await step(agent(), `${tag}:only`, 20, { "Helicone-Property-Case": tag });
  await expect(page.getByRole("row").filter({ hasText: `case=${tag}` })).toBeVisible({ timeout: 3_000 });
});
