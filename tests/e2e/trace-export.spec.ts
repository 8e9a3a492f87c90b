import { readFile } from "node:fs/promises";
import { e2eEnv } from "./environment";
import { expect, screenshot, test } from "./fixtures";

test("the trace header downloads the trace as OTLP and as JSON, and copies it as text that starts with the trace id", async ({ page, context, apiGet }) => {
  const traceId = e2eEnv("E2E_MAIN_TRACE_ID");
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: e2eEnv("E2E_BASE_URL") });
  const trace = await apiGet(`/api/v1/traces/${traceId}`);
  await page.goto(`/traces/${traceId}`);
  const exports = page.getByRole("group", { name: "Export trace" });
  await expect(exports).toBeVisible();
  await screenshot(page, "trace-export-buttons");

  const [otlp] = await Promise.all([page.waitForEvent("download"), exports.getByRole("link", { name: "Download OTLP" }).click()]);
  expect(otlp.suggestedFilename()).toBe(`trace-${traceId}.otlp.json`);
  const spans = JSON.parse(await readFile((await otlp.path())!, "utf8")).resourceSpans[0].scopeSpans[0].spans;
  const requestCount = trace.nodes.reduce((sum: number, node: { requests: unknown[] }) => sum + node.requests.length, 0);
  const virtualCount = trace.nodes.filter((node: { virtual: boolean }) => node.virtual).length;
  // one span per logged request, one per node never logged (the main trace is placed by paths)
  expect(spans).toHaveLength(requestCount + virtualCount);

  const [json] = await Promise.all([page.waitForEvent("download"), exports.getByRole("link", { name: "Download JSON" }).click()]);
  expect(json.suggestedFilename()).toBe(`trace-${traceId}.json`);
  expect(JSON.parse(await readFile((await json.path())!, "utf8"))).toEqual(trace);

  await exports.getByRole("button", { name: "Copy as text" }).click();
  await expect(exports.getByRole("button", { name: "Copied" })).toBeVisible();
  const text = await page.evaluate(() => navigator.clipboard.readText());
  expect(text.startsWith(traceId)).toBe(true);
  expect(text).toContain("## Tree");
  expect(text).toContain("Find hotels in Kyoto");
});
