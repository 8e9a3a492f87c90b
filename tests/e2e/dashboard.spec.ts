import type { Page } from "@playwright/test";
import { formatCount, formatDuration, formatUsd } from "../../components/ui/format";
import type { MetricsSummary, MetricsTimeseries, MetricsTop } from "../../lib/contracts/metrics";
import { ADMIN } from "./environment";
import { expect, screenshot, test } from "./fixtures";

/** Every host the page asked anything of; the dashboard must never ask another one. */
function recordHosts(page: Page): Set<string> {
  const hosts = new Set<string>();
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.protocol !== "data:" && url.protocol !== "blob:") hosts.add(url.host);
  });
  return hosts;
}

/** The window the page counted over, as it shows it (`<time dateTime>`): the API is asked the same. */
async function shownWindow(page: Page): Promise<URLSearchParams> {
  const times = page.getByTestId("time-window").locator("time");
  return new URLSearchParams({ from: (await times.nth(0).getAttribute("datetime"))!, to: (await times.nth(1).getAttribute("datetime"))! });
}

const CHART_SVG = ".recharts-wrapper > svg";
const tile = (page: Page, label: string) => page.locator(`[data-tile="${label}"] [data-value]`);
const chart = (page: Page, title: string) => page.locator(`section[data-chart="${title}"]`);
const requestRows = (page: Page) => page.getByRole("table", { name: "Requests" }).locator("tbody tr");

async function openDashboard(page: Page, path = "/dashboard") {
  await page.goto(path);
  await expect(tile(page, "Requests")).toHaveText(/^\d[\d,]*$/);
}

/** The Requests page's URL after a click: the same parameters as the link that was clicked. */
function expectSameQuery(url: string, href: string) {
  const shown = new URL(url);
  const linked = new URL(href, shown);
  expect(shown.pathname).toBe("/requests");
  expect([...shown.searchParams].sort()).toEqual([...linked.searchParams].sort());
}

test.describe("landing", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("signing in lands on the dashboard, first in the navigation", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/dashboard$/);
    const nav = page.getByRole("navigation", { name: "Main" }).getByRole("link");
    await expect(nav.first()).toHaveText("Dashboard");
    await expect(nav.first()).toHaveAttribute("aria-current", "page");
    await page.goto("/");
    await expect(page).toHaveURL(/\/dashboard$/);
  });
});

test("the tiles show the metrics API's totals; the charts and their data tables render from the demo traffic; nothing is asked of another host", async ({ page, apiGet, baseURL }) => {
  const hosts = recordHosts(page);
  await openDashboard(page);
  const window = await shownWindow(page);
  const summary: MetricsSummary = await apiGet(`/api/v1/metrics/summary?${window}`);
  expect(summary.requests).toBeGreaterThan(50);
  expect(summary.errors).toBeGreaterThan(0);

  await expect(tile(page, "Requests")).toHaveText(formatCount(summary.requests));
  await expect(tile(page, "Errors")).toHaveText(formatCount(summary.errors));
  await expect(tile(page, "Total cost")).toHaveText(formatUsd(summary.cost, !summary.costComplete));
  await expect(tile(page, "Wasted spend")).toHaveText(formatUsd(summary.wastedCost));
  await expect(tile(page, "Tokens in")).toHaveText(formatCount(summary.promptTokens));
  await expect(tile(page, "Tokens out")).toHaveText(formatCount(summary.completionTokens));
  await expect(tile(page, "Latency p50")).toHaveText(formatDuration(summary.latencyMs.p50));
  await expect(tile(page, "Latency p95")).toHaveText(formatDuration(summary.latencyMs.p95));
  await expect(tile(page, "Time to first token")).toHaveText(formatDuration(summary.timeToFirstTokenMs.p50));
  await expect(tile(page, "Traces")).toHaveText(formatCount(summary.traces));
  await expect(tile(page, "Cost per trace")).toHaveText(formatUsd(summary.costPerTrace.p50));
  await expect(tile(page, "Cost per trace p95")).toHaveText(formatUsd(summary.costPerTrace.p95));
  await screenshot(page, "dashboard");

  for (const title of ["Requests", "Cost by model", "Latency", "Tokens", "Errors by status"]) {
    const section = chart(page, title);
    await expect(section.locator(CHART_SVG), title).toBeVisible();
    await section.getByText("Show data").click();
    await expect(section.getByRole("table", { name: new RegExp(`^${title}, by `) }), title).toBeVisible();
  }
  for (const title of ["Requests", "Cost by model", "Tokens", "Errors by status"]) {
    await expect(chart(page, title).locator("svg a[href^='/requests?']").first(), `${title}: a bar`).toBeAttached();
  }
  await expect(chart(page, "Latency").locator(".recharts-line-dots a[href^='/requests?']").first()).toBeVisible();

  // The Requests chart's table says the same as the API: a row per bucket, OK + errors adding up to the tile.
  const timeseries: MetricsTimeseries = await apiGet(`/api/v1/metrics/timeseries?${window}&groupBy=model`);
  const requestsChart = chart(page, "Requests");
  const table = requestsChart.getByRole("table");
  await expect(table.locator("tbody tr")).toHaveCount(timeseries.buckets.length);
  const cells = await table.locator("tbody td").allTextContents();
  expect(cells.reduce((sum, text) => sum + Number(text.replaceAll(",", "")), 0)).toBe(summary.requests);

  // Values on hover.
  await requestsChart.locator("svg a[href^='/requests?']").first().hover();
  await expect(requestsChart.locator(".recharts-tooltip-wrapper")).toContainText(/OK|Errors/);
  await screenshot(page, "dashboard-tooltip-and-data");
  await page.getByRole("region", { name: "Breakdowns" }).scrollIntoViewIfNeeded();
  await screenshot(page, "dashboard-breakdowns");

  expect([...hosts]).toEqual([new URL(baseURL!).host]);
});

test("a bar opens the Requests page filtered to exactly its slice: a model's cost in one bucket, the errors of one bucket", async ({ page, apiGet }) => {
  await openDashboard(page);
  const window = await shownWindow(page);
  const timeseries: MetricsTimeseries = await apiGet(`/api/v1/metrics/timeseries?${window}&groupBy=model`);

  // A model segment: its requests are the bucket's group, all of that model.
  const segments = chart(page, "Cost by model").locator("svg a[href^='/requests?']");
  const hrefs = await segments.evaluateAll((links) => links.map((a) => a.getAttribute("href")!));
  const withModel = hrefs.map((href, index) => ({ href, index, model: new URLSearchParams(href.split("?")[1]).get("model") })).filter((s) => s.model);
  expect(withModel.length).toBeGreaterThan(0);
  // The smallest group fits on one page of the Requests list.
  const groupOf = (href: string, model: string) => {
    const from = Date.parse(new URLSearchParams(href.split("?")[1]).get("from")!);
    const bucket = timeseries.buckets.findLast((b) => Date.parse(b.start) <= from)!;
    return bucket.groups!.find((g) => g.key === model)!;
  };
  const chosen = withModel.sort((a, b) => groupOf(a.href, a.model!).requests - groupOf(b.href, b.model!).requests)[0]!;
  const group = groupOf(chosen.href, chosen.model!);
  expect(group.requests).toBeLessThanOrEqual(50);

  await segments.nth(chosen.index).click();
  await expect(page).toHaveURL(/\/requests\?/);
  expectSameQuery(page.url(), chosen.href);
  await expect(requestRows(page)).toHaveCount(group.requests);
  for (const row of await requestRows(page).all()) await expect(row.locator("td").nth(3)).toHaveText(chosen.model!);
  await screenshot(page, "dashboard-to-requests-model");

  // The Requests chart's error segment: status=error, the bucket's failed requests.
  await page.goBack();
  await expect(tile(page, "Requests")).toHaveText(/^\d/);
  const errorSegment = chart(page, "Requests").locator("svg a[href*='status=error']").last();
  const errorHref = (await errorSegment.getAttribute("href"))!;
  const expected = await apiGet(`/api/v1/requests?${errorHref.split("?")[1]}&limit=1000`);
  const errorBucket = timeseries.buckets.findLast((b) => Date.parse(b.start) <= Date.parse(new URLSearchParams(errorHref.split("?")[1]).get("from")!))!;
  expect(expected.data.length).toBe(errorBucket.errors);
  await errorSegment.click();
  await expect(page).toHaveURL(/\/requests\?/);
  expectSameQuery(page.url(), errorHref);
  await expect(requestRows(page)).toHaveCount(Math.min(errorBucket.errors, 50));
  for (const row of await requestRows(page).all()) await expect(row.locator("td").nth(1)).not.toHaveText(/^2\d\d$/);
});

test("a point on the latency chart opens that bucket's requests", async ({ page, apiGet }) => {
  await openDashboard(page);
  const window = await shownWindow(page);
  const timeseries: MetricsTimeseries = await apiGet(`/api/v1/metrics/timeseries?${window}`);
  const latency = chart(page, "Latency");
  await latency.getByText("Show data").click();
  const bucketLinks = await latency.getByRole("table").locator("tbody th a").evaluateAll((links) => links.map((a) => a.getAttribute("href")!));
  expect(bucketLinks).toHaveLength(timeseries.buckets.length);

  // The busiest bucket's p95 point.
  const busiest = timeseries.buckets.reduce((best, bucket, i) => (bucket.requests > timeseries.buckets[best]!.requests ? i : best), 0);
  const p50Dots = latency.locator(".recharts-line-dots").first().locator("a[href^='/requests?']");
  await expect(p50Dots).toHaveCount(timeseries.buckets.filter((b) => b.latencyMs.p50 !== null).length);
  const dot = p50Dots.nth(timeseries.buckets.slice(0, busiest).filter((b) => b.latencyMs.p50 !== null).length);
  // As a user does: the pointer over the point shows its values, a click opens its requests.
  await dot.hover();
  await expect(latency.locator(".recharts-tooltip-wrapper")).toContainText(formatDuration(timeseries.buckets[busiest]!.latencyMs.p95));
  await dot.click();
  await expect(page).toHaveURL(/\/requests\?/);
  expectSameQuery(page.url(), bucketLinks[busiest]!);
  const expected = await apiGet(`/api/v1/requests?${new URL(page.url()).searchParams}&limit=1000`);
  expect(expected.data.length).toBe(timeseries.buckets[busiest]!.requests);
  await expect(requestRows(page).first()).toBeVisible();
});

test("a breakdown row opens that user's requests in the window, with the dashboard's filters", async ({ page, apiGet }) => {
  await openDashboard(page, "/dashboard?rank=requests");
  const window = await shownWindow(page);
  const top: MetricsTop = await apiGet(`/api/v1/metrics/top?${window}&by=userId&order=requests`);
  const alice = top.rows.find((row) => row.key === "alice@example.com")!;
  expect(alice.requests).toBeGreaterThan(0);

  const users = page.getByRole("table", { name: "Users" });
  const row = users.getByRole("row").filter({ hasText: alice.key });
  await expect(row).toContainText(formatCount(alice.requests));
  await expect(users.locator("tbody tr").first()).toContainText(top.rows[0]!.key);
  await row.getByRole("link", { name: alice.key }).click();
  await expect(page).toHaveURL(/\/requests\?/);
  const params = new URL(page.url()).searchParams;
  expect(params.get("userId")).toBe(alice.key);
  expect(params.get("from")).toBe(window.get("from"));
  expect(new Date(params.get("to")!).getTime()).toBe(Date.parse(window.get("to")!) - 1);
  await expect(requestRows(page)).toHaveCount(alice.requests);
  for (const r of await requestRows(page).all()) await expect(r).toContainText(alice.key);
});

test("filters live in the URL: a shared link shows its slice, a new range is a new URL", async ({ page, apiGet }) => {
  await openDashboard(page, "/dashboard?model=gpt-4&range=7d");
  await expect(page.getByRole("combobox", { name: "Time range" })).toHaveValue("7d");
  await expect(page.getByRole("search").getByLabel("Model")).toHaveValue("gpt-4");
  const window = await shownWindow(page);
  expect(Date.parse(window.get("to")!) - Date.parse(window.get("from")!)).toBe(7 * 86_400_000);
  const summary: MetricsSummary = await apiGet(`/api/v1/metrics/summary?${window}&model=gpt-4`);
  expect(summary.requests).toBeGreaterThan(0);
  await expect(tile(page, "Requests")).toHaveText(formatCount(summary.requests));
  const requestsLink = tile(page, "Requests").getByRole("link");
  expect(new URLSearchParams((await requestsLink.getAttribute("href"))!.split("?")[1]).get("model")).toBe("gpt-4");

  await page.getByRole("combobox", { name: "Time range" }).selectOption("1h");
  await expect(page).toHaveURL(/[?&]range=1h/);
  await expect(page).toHaveURL(/model=gpt-4/);
  await chart(page, "Requests").getByText("Show data").click();
  await expect(chart(page, "Requests").getByRole("table", { name: /by minute$/ })).toBeVisible();
});

test("the property breakdown lists the most used key's values, or the chosen key's (kept in the URL); a row opens its requests", async ({ page, apiGet }) => {
  await openDashboard(page);
  const window = await shownWindow(page);
  const { keys }: { keys: Array<{ key: string }> } = await apiGet("/api/v1/properties");
  const picker = page.getByLabel("Property to break down by");
  const table = page.getByRole("table", { name: "Property" });
  const rowLinks = () => table.locator("tbody th a").evaluateAll((links) => links.map((a) => a.getAttribute("href")!));
  const linkedProperties = async () => (await rowLinks()).map((href) => [...new URLSearchParams(href.split("?")[1]).keys()].filter((name) => name.startsWith("property.")));

  await expect(picker).toHaveValue(keys[0]!.key);
  const mostUsed: MetricsTop = await apiGet(`/api/v1/metrics/top?${window}&by=property.${keys[0]!.key}`);
  await expect(table.locator("tbody tr")).toHaveCount(mostUsed.rows.length);
  expect(await linkedProperties()).toEqual(mostUsed.rows.map(() => [`property.${keys[0]!.key}`]));

  const other = keys.find((k) => k.key === "stage")!.key;
  await picker.selectOption(other);
  await expect(page).toHaveURL(new RegExp(`[?&]topProperty=${other}`));
  await expect(picker).toHaveValue(other);
  const chosen: MetricsTop = await apiGet(`/api/v1/metrics/top?${window}&by=property.${other}`);
  await expect(table.locator("tbody tr")).toHaveCount(chosen.rows.length);
  await expect(table.locator("tbody tr").first()).toContainText(chosen.rows[0]!.key);
  await table.getByRole("link", { name: chosen.rows[0]!.key }).click();
  await expect(page).toHaveURL(/\/requests\?/);
  expect(new URL(page.url()).searchParams.get(`property.${other}`)).toBe(chosen.rows[0]!.key);
  await expect(requestRows(page)).toHaveCount(chosen.rows[0]!.requests);
});

test("the first view's data is asked for by the HTML: the page's code fetches nothing itself but a property breakdown it could not know", async ({ page }) => {
  /** The read API's URLs that the page's code fetched, and those its HTML preloaded (`<link rel=preload>`). */
  const apiReads = () =>
    page.evaluate(() => {
      const reads = (initiator: string) =>
        performance
          .getEntriesByType("resource")
          .filter((entry) => (entry as PerformanceResourceTiming).initiatorType === initiator && new URL(entry.name).pathname.startsWith("/api/"))
          .map((entry) => new URL(entry.name).pathname + new URL(entry.name).search);
      return { fetched: reads("fetch"), preloaded: reads("link") };
    });
  const settled = async () => {
    await expect(page.locator("section[data-chart] svg :is(.recharts-bar-rectangle, .recharts-line-curve)").first()).toBeAttached();
    await expect(page.locator('[aria-label="Loading"], [aria-busy="true"]')).toHaveCount(0);
  };

  await openDashboard(page);
  await settled();
  // The property breakdown lists the most used key, known from the keys' answer: that read follows it.
  const property = await page.getByLabel("Property to break down by").inputValue();
  expect(property).not.toBe("");
  const first = await apiReads();
  expect(first.preloaded.some((path) => path.startsWith("/api/v1/metrics/summary?"))).toBe(true);
  expect(first.preloaded).toContain("/api/v1/properties");
  expect(first.fetched).toHaveLength(1);
  expect(new URLSearchParams(first.fetched[0]!.split("?")[1]).get("by")).toBe(`property.${property}`);

  // Named in the URL, the property's breakdown is preloaded too: the code fetches nothing.
  await openDashboard(page, `/dashboard?topProperty=${encodeURIComponent(property)}`);
  await settled();
  expect((await apiReads()).fetched).toEqual([]);
});

test("at a phone's width the dashboard fits the screen: no sideways scrolling, charts as wide as the screen", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openDashboard(page);
  await expect(chart(page, "Requests").locator(CHART_SVG)).toBeVisible();
  // Neither the page nor the dashboard's own scrolling area is wider than the screen.
  const widths = await page.evaluate(() => {
    const main = document.querySelector("main")!;
    return { page: document.documentElement.scrollWidth, main: main.scrollWidth, mainVisible: main.clientWidth };
  });
  expect(widths.page).toBeLessThanOrEqual(390);
  expect(widths.main).toBeLessThanOrEqual(widths.mainVisible);
  for (const svg of await page.locator(`section[data-chart] ${CHART_SVG}`).all()) {
    const box = (await svg.boundingBox())!;
    expect(box.width).toBeGreaterThan(250);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
  }
  await screenshot(page, "dashboard-phone");
  await page.locator("section[data-chart='Latency']").scrollIntoViewIfNeeded();
  await screenshot(page, "dashboard-phone-charts");
});
