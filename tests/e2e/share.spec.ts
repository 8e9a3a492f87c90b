import type { Browser, BrowserContext, Page } from "@playwright/test";
import { e2eEnv } from "./environment";
import { expect, screenshot, test } from "./fixtures";

// A signed-in admin shares a trace from its header; the link is opened in a fresh browser context
// (no cookie, no storage), as the colleague who was sent it would open it.

/** Makes a link from the open trace page with the Share panel; returns the link as shown. */
async function createLink(page: Page, { content }: { content: boolean }): Promise<string> {
  const panel = page.getByRole("dialog", { name: "Share trace" });
  if (!(await panel.isVisible())) await page.getByRole("button", { name: "Share" }).click();
  await panel.getByLabel(content ? "Include prompts and answers" : "Structure, timings, cost and status only").check();
  await panel.getByRole("button", { name: "Create link" }).click();
  const link = (await panel.getByLabel("Share link").textContent())!.trim();
  expect(link).toMatch(/^http:\/\/[^/]+\/share\/[A-Za-z0-9_-]{43}$/);
  return link;
}

/** A browser context that never signed in, with what its pages fetch and what the console says. */
async function visitor(browser: Browser): Promise<{ context: BrowserContext; page: Page; fetched: string[]; console: string[] }> {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  const fetched: string[] = [];
  const console: string[] = [];
  page.on("request", (request) => {
    if (["fetch", "xhr"].includes(request.resourceType())) fetched.push(new URL(request.url()).pathname);
  });
  page.on("console", (message) => console.push(message.text()));
  return { context, page, fetched, console };
}

test("a shared trace opens read-only without signing in, with its prompts, not indexed, under the app's CSP; revoked, it is a 404", async ({ page, browser, apiGet }) => {
  const traceId = e2eEnv("E2E_MAIN_TRACE_ID");
  const trace = await apiGet(`/api/v1/traces/${traceId}`);
  await page.goto(`/traces/${traceId}`);
  const link = await createLink(page, { content: true });
  const token = link.split("/").at(-1)!;
  await expect(page.getByRole("dialog", { name: "Share trace" }).getByRole("listitem")).toContainText(`${token.slice(0, 6)}…`);
  await screenshot(page, "share-panel");

  const guest = await visitor(browser);
  const response = await guest.page.goto(link);
  expect(response!.status()).toBe(200);
  const headers = response!.headers();
  expect(headers["x-robots-tag"]).toContain("noindex");
  expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  await expect(guest.page.locator('meta[name="robots"]')).toHaveAttribute("content", /noindex/);
  await expect(guest.page).toHaveURL(link); // not sent to the login page

  // The whole tree, read-only: no link anywhere, no Share button, a banner saying what this is.
  const cards = guest.page.locator(".react-flow__node [data-node-id]");
  await expect(cards).toHaveCount(trace.nodes.length);
  await expect(guest.page.getByRole("note")).toContainText("Shared trace · read-only · prompts and answers included");
  await expect(guest.page.getByLabel("Trace metrics")).toContainText(`Node count${trace.metrics.nodeCount}`);
  await expect(guest.page.getByRole("button", { name: "Share" })).toHaveCount(0);
  await guest.page.locator(`[data-node-id="${traceId}:plan:hotels"]`).click();
  const details = guest.page.getByRole("complementary", { name: "Node details" });
  await expect(details.getByLabel("Conversation")).toContainText("Find hotels in Kyoto");
  await expect(details.getByRole("tab", { name: "Headers" })).toHaveCount(0);
  await expect(guest.page.locator("a[href]")).toHaveCount(0);
  await screenshot(guest.page, "shared-trace");
  // Everything it loaded came through the link, and the policy blocked nothing.
  expect(guest.fetched.length).toBeGreaterThan(0);
  for (const path of guest.fetched) expect(path).toMatch(new RegExp(`^/api/v1/shared/${token}(/requests/[^/]+)?$`));
  expect(guest.console.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);

  // Revoked from the trace's Share panel: the open page's link is a 404 at once.
  await page.getByRole("dialog", { name: "Share trace" }).getByRole("button", { name: `Revoke link ${token.slice(0, 6)}` }).click();
  await expect(page.getByRole("dialog", { name: "Share trace" }).getByText("None yet.")).toBeVisible();
  const revoked = await guest.page.goto(link);
  expect(revoked!.status()).toBe(404);
  expect(revoked!.headers()["x-robots-tag"]).toContain("noindex");
  await expect(guest.page.getByRole("heading", { name: "Link not found" })).toBeVisible();
  await expect(guest.page.locator("a[href]")).toHaveCount(0);
  await guest.context.close();
});

test("a link without content shows structure, timings, cost and status; logged markup stays text", async ({ page, browser }) => {
  const xssTraceId = e2eEnv("E2E_XSS_TRACE_ID");
  await page.goto(`/traces/${encodeURIComponent(xssTraceId)}`);
  const withContent = await createLink(page, { content: true });
  await page.getByRole("button", { name: "Done" }).click();
  const structureOnly = await createLink(page, { content: false });

  const guest = await visitor(browser);
  await guest.page.goto(withContent);
  await guest.page.locator(`[data-node-id="${xssTraceId}"]`).click();
  const details = guest.page.getByRole("complementary", { name: "Node details" });
  await expect(details.getByLabel("Conversation")).toContainText('<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>');
  expect(await guest.page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();

  guest.fetched.length = 0;
  await guest.page.goto(structureOnly);
  await expect(guest.page.getByRole("note")).toContainText("structure, timings, cost and status only");
  await guest.page.locator(`[data-node-id="${xssTraceId}"]`).click();
  await expect(details).toContainText("This shared link does not include prompts and answers.");
  await expect(details.getByTestId("node-latency")).not.toHaveText("");
  await expect(details.getByTestId("node-cost")).not.toHaveText("");
  await expect(guest.page.locator("body")).not.toContainText("window.__xss");
  // the bodies were never asked for
  expect(guest.fetched.filter((path) => path.includes("/requests/"))).toEqual([]);
  expect(await guest.page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
  await guest.context.close();
});

test("Settings lists the organization's links; an admin turning sharing off revokes them all and blocks new ones", async ({ page, browser }) => {
  const traceId = e2eEnv("E2E_MAIN_TRACE_ID");
  await page.goto(`/traces/${traceId}`);
  const link = await createLink(page, { content: false });
  const token = link.split("/").at(-1)!;

  await page.goto("/settings");
  const table = page.getByRole("table", { name: "Shared links" });
  const row = table.getByRole("row").filter({ hasText: `${token.slice(0, 6)}…` });
  await expect(row).toContainText(traceId);
  await expect(row).toContainText("structure only");
  await expect(row).toContainText("admin@e2e.test");
  await expect(page.getByTestId("sharing-state")).toHaveText("on");
  await screenshot(page, "settings-shared-links");

  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Turn sharing off" }).click();
  await expect(page.getByTestId("sharing-state")).toHaveText("off");
  await expect(table).toContainText("No shared links.");

  const guest = await visitor(browser);
  expect((await guest.page.goto(link))!.status()).toBe(404);
  await guest.context.close();

  await page.goto(`/traces/${traceId}`);
  await page.getByRole("button", { name: "Share" }).click();
  await page.getByRole("dialog", { name: "Share trace" }).getByRole("button", { name: "Create link" }).click();
  await expect(page.getByRole("dialog", { name: "Share trace" }).getByRole("alert")).toContainText("Sharing is turned off for this organization");

  await page.goto("/settings");
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Turn sharing on" }).click();
  await expect(page.getByTestId("sharing-state")).toHaveText("on");
});
