import { e2eEnv } from "./environment";
import { expect, test } from "./fixtures";
import { XSS_SUITE } from "./seed";

test("script in prompts, outputs, property values, user ids and node ids stays text and never runs, on the Requests page, the dashboard and the trace", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const outbound: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("evil.example")) outbound.push(request.url());
  });
  const executed = () => page.evaluate(() => (window as unknown as { __xss?: number }).__xss);

  const response = await page.goto(`/requests?property.suite=${XSS_SUITE}`);
  expect(response!.headers()["content-security-policy"]).toContain("img-src 'self' data:");
  const rows = page.getByRole("table", { name: "Requests" }).locator("tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toContainText('<img src=x onerror="window.__xss=4">');
  await rows.first().click();
  const panel = page.getByRole("complementary", { name: "Request details" });
  await expect(panel.getByLabel("Conversation")).toContainText('<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>');
  await expect(panel.getByLabel("Conversation")).toContainText("https://evil.example/pixel.png");
  await panel.getByRole("tab", { name: "Response JSON" }).click();
  await expect(panel.getByLabel("Response body")).toContainText('Mock answer to: <img src=x onerror=\\"window.__xss=1\\">');

  // The dashboard's breakdowns list user ids and property values as they were logged.
  await page.goto(`/dashboard?property.suite=${XSS_SUITE}&topProperty=step`);
  await expect(page.getByRole("table", { name: "Users" })).toContainText('<b onmouseover="window.__xss=5">mallory</b>');
  await expect(page.getByRole("table", { name: "Property" })).toContainText('<img src=x onerror="window.__xss=4">');
  await page.getByRole("table", { name: "Users" }).getByRole("link").hover();
  expect(await executed()).toBeUndefined();

  const traceId = e2eEnv("E2E_XSS_TRACE_ID");
  await page.goto(`/traces/${traceId}`);
  await expect(page.locator(".react-flow__node [data-node-id]")).toHaveCount(2);
  await page.locator(".react-flow__node").nth(1).click();
  await expect(page.getByRole("complementary", { name: "Node details" })).toContainText('<svg onload="window.__xss=6">');

  expect(await executed()).toBeUndefined();
  expect(dialogs).toEqual([]);
  expect(outbound).toEqual([]);
  expect(await page.locator("img, script[src*='evil'], a[href^='javascript:'], a[href*='evil.example']").count()).toBe(0);
});
