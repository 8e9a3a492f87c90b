import OpenAI from "openai";
import { e2eEnv } from "./environment";
import { expect, screenshot, test } from "./fixtures";

/**
 * Two runs of one agent in one session, sent through the real proxy with the openai SDK: today's
 * run is slower at search, fails to book, asks for its itinerary in other words (with markup in
 * it, which must stay text) and reviews instead of cleaning up.
 */
const stamp = Date.now().toString(36);
const SESSION = `e2e-compare-session-${stamp}`;
const YESTERDAY = `e2e-compare-yesterday-${stamp}`;
const TODAY = `e2e-compare-today-${stamp}`;

async function runAgent(traceId: string, today: boolean): Promise<void> {
  const client = new OpenAI({
    apiKey: "sk-e2e-provider",
    baseURL: `${e2eEnv("E2E_BASE_URL")}/v1`,
    defaultHeaders: { "Helicone-Auth": `Bearer ${e2eEnv("E2E_API_KEY")}`, "Helicone-Session-Id": SESSION, "Helicone-Session-Name": "Compare runs" },
    maxRetries: 0,
  });
  const ask = (step: string, content: string, headers: Record<string, string> = {}) =>
    client.chat.completions
      .create({ model: "gpt-4o-mini", messages: [{ role: "user", content }] }, { headers: { "Helicone-Node-Id": `${traceId}:${step}`, "Helicone-Property-Step": step.split(":").at(-1)!, ...headers } })
      .catch((error: unknown) => {
        if (!(error instanceof OpenAI.APIError)) throw error;
      });
  await ask("plan", "Plan a trip to Kyoto");
  await ask("plan:search", "Find hotels in Kyoto", { "x-mock-latency-ms": today ? "900" : "0" });
  await ask("plan:book", "Book a tea ceremony", today ? { "x-mock-error-status": "503" } : {});
  await ask("plan:answer", today ? "Write a <b>short</b> itinerary for two days" : "Write the itinerary for two days");
  await ask(today ? "plan:review" : "plan:cleanup", today ? "Review the itinerary" : "Clean up the notes");
}

test.beforeAll(async () => {
  await runAgent(YESTERDAY, false);
  await runAgent(TODAY, true);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const response = await fetch(`${e2eEnv("E2E_BASE_URL")}/api/v1/requests?limit=100&sessionId=${SESSION}`, { headers: { authorization: `Bearer ${e2eEnv("E2E_API_KEY")}` } });
    const { data } = (await response.json()) as { data: unknown[] };
    if (data.length >= 10) break;
    if (Date.now() > deadline) throw new Error(`only ${data.length} of 10 requests stored`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

test("Compare with… another trace of the same session: a merged tree coloured by what changed, and a text diff of the prompt", async ({ page, apiGet }) => {
  await page.goto(`/traces/${YESTERDAY}`);
  await page.getByRole("button", { name: "Compare with…" }).click();
  const dialog = page.getByRole("dialog", { name: "Compare with another trace" });
  await expect(dialog.getByRole("textbox", { name: "Trace id to compare with" })).toBeVisible();
  await screenshot(page, "trace-compare-with");
  await dialog.getByRole("region", { name: "Other traces of this session" }).getByRole("link", { name: new RegExp(TODAY) }).click();
  await expect(page).toHaveURL(new RegExp(`/traces/compare\\?a=${YESTERDAY}&b=${TODAY}`));

  const comparison = await apiGet(`/api/v1/traces/compare?a=${YESTERDAY}&b=${TODAY}`);
  const cards = page.locator(".react-flow__node [data-path]");
  await expect(cards).toHaveCount(comparison.nodes.length);
  const tone = (path: string) => page.locator(`[data-path="${path}"]`);
  await expect(tone("plan:book")).toHaveAttribute("data-tone", "failed");
  await expect(tone("plan:search")).toHaveAttribute("data-tone", "slower");
  await expect(tone("plan:review")).toHaveAttribute("data-tone", "added");
  await expect(tone("plan:cleanup")).toHaveAttribute("data-tone", "removed");
  await expect(tone("plan:answer")).toHaveAttribute("data-tone", /changed|slower|dearer/);

  // Both traces' metrics side by side, with the deltas (b − a) beneath.
  const metrics = page.getByRole("table", { name: "Trace metrics, A and B" });
  await expect(metrics).toContainText(YESTERDAY);
  await expect(metrics).toContainText(TODAY);
  await expect(metrics.locator('[data-metric="successRate"]')).toHaveText("−20 pt");
  await expect(metrics.locator('[data-metric="nodeCount"]')).toHaveText("±0");
  await expect(page.getByRole("list", { name: "Nodes by change" })).toContainText("1 added");

  await tone("plan:answer").click();
  await expect(page).toHaveURL(/node=plan%3Aanswer/);
  const panel = page.getByRole("complementary", { name: "Compared node" });
  const prompt = panel.getByRole("region", { name: "Prompt diff" });
  await expect(prompt).toHaveAttribute("data-changed", "true");
  await expect(prompt.locator('[data-side="A"][data-kind="removed"]')).toContainText("Write the itinerary for two days");
  const added = prompt.locator('[data-side="B"][data-kind="added"]');
  await expect(added).toContainText("Write a <b>short</b> itinerary for two days");
  // Logged markup is text: no element was made of it.
  await expect(added.locator("b")).toHaveCount(0);
  await expect(added.locator("span.bg-emerald-200").first()).toBeVisible();
  await expect(panel.getByRole("region", { name: "Answer diff" })).toBeVisible();
  await screenshot(page, "trace-compare");

  // A node only in B shows its side alone.
  await page.keyboard.press("Escape");
  await expect(panel).toHaveCount(0);
  await tone("plan:review").click();
  await expect(panel.getByRole("region", { name: "Prompt diff" }).locator('[data-side="B"][data-kind="added"]')).toHaveText(["user:", "Review the itinerary"]);
});

test("two traces selected on the Requests page open the comparison; a session page picks them the same way", async ({ page }) => {
  await page.goto(`/requests?sessionId=${SESSION}`);
  const table = page.getByRole("table", { name: "Requests" });
  await expect(table.locator("tbody tr")).toHaveCount(10);
  const rowOf = (traceId: string, step: string) => table.locator("tbody tr").filter({ hasText: `step=${step}` }).filter({ has: page.getByRole("checkbox", { name: `Select trace ${traceId} to compare` }) });
  await rowOf(YESTERDAY, "search").getByRole("checkbox").check();
  // Every row of that trace is checked with it; the row itself did not open.
  await expect(page.getByRole("checkbox", { name: `Select trace ${YESTERDAY} to compare` })).toHaveCount(5);
  for (const box of await page.getByRole("checkbox", { name: `Select trace ${YESTERDAY} to compare` }).all()) await expect(box).toBeChecked();
  await expect(page.getByRole("complementary", { name: "Request details" })).toHaveCount(0);
  await expect(page.getByRole("group", { name: "Compare traces" })).toContainText("1 trace selected");
  await rowOf(TODAY, "book").getByRole("checkbox").check();
  await page.getByRole("group", { name: "Compare traces" }).getByRole("link", { name: "Compare" }).click();

  await expect(page).toHaveURL(new RegExp(`/traces/compare\\?a=${YESTERDAY}&b=${TODAY}`));
  await expect(page.locator('[data-path="plan:book"]')).toHaveAttribute("data-tone", "failed");
  await page.locator('[data-path="plan:book"]').click();
  const answer = page.getByRole("complementary", { name: "Compared node" }).getByRole("region", { name: "Answer diff" });
  await expect(answer).toHaveAttribute("data-changed", "true");
  await expect(answer.locator('[data-side="B"]').filter({ hasText: "error:" }).first()).toBeVisible();

  const sessions = await page.request.get(`/api/v1/sessions?search=${SESSION}`);
  expect(sessions.status()).toBe(200);
  await page.goto(`/sessions/${SESSION}`);
  const traces = page.getByLabel("Traces in this session");
  await traces.getByRole("checkbox", { name: `Select trace ${TODAY} to compare` }).check();
  await traces.getByRole("checkbox", { name: `Select trace ${YESTERDAY} to compare` }).check();
  await expect(page.getByRole("group", { name: "Compare traces" }).getByRole("link", { name: "Compare" })).toHaveAttribute("href", `/traces/compare?a=${TODAY}&b=${YESTERDAY}`);
});
