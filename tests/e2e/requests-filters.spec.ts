import { expect, screenshot, test } from "./fixtures";
import { MAIN_SUITE } from "./seed";

test("filtering by a property adds it to the URL and shows exactly the matching requests", async ({ page, apiGet }) => {
  await page.goto("/requests");
  await page.getByRole("button", { name: "+ Property" }).click();
  await page.getByLabel("Property key").fill("suite");
  await page.getByLabel("Property value").fill(MAIN_SUITE);
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect(page).toHaveURL(/property\.suite=e2e-main/);

  const expected = await apiGet(`/api/v1/requests?property.suite=${MAIN_SUITE}`);
  const rows = page.getByRole("table", { name: "Requests" }).locator("tbody tr");
  await expect(rows).toHaveCount(expected.data.length);
  for (const row of await rows.all()) await expect(row).toContainText(`suite=${MAIN_SUITE}`);
  await screenshot(page, "requests-filtered");
});

test("the status filter narrows to failed requests, a specific code works, and Back undoes it", async ({ page, apiGet }) => {
  await page.goto("/requests");
  const table = page.getByRole("table", { name: "Requests" });
  await expect(table.locator("tbody tr").first()).toBeVisible();

  await page.getByRole("combobox", { name: "Status" }).selectOption("error");
  await expect(page).toHaveURL(/status=error/);
  const failed = await apiGet("/api/v1/requests?status=error&limit=1000");
  expect(failed.data.length).toBeGreaterThan(0);
  await expect(table.locator("tbody tr")).toHaveCount(failed.data.length);
  for (const row of await table.locator("tbody tr").all()) await expect(row.locator("td").nth(1)).not.toHaveText("200");

  await page.getByRole("combobox", { name: "Status" }).selectOption("503");
  await expect(page).toHaveURL(/status=503/);
  const unavailable = await apiGet("/api/v1/requests?status=503&limit=1000");
  await expect(table.locator("tbody tr")).toHaveCount(unavailable.data.length);
  for (const row of await table.locator("tbody tr").all()) await expect(row.locator("td").nth(1)).toHaveText("503");

  await page.goBack();
  await expect(page).toHaveURL(/status=error/);
  await page.goBack();
  await expect(page).not.toHaveURL(/status=/);
});

test("clicking a row opens the request: conversation, cost breakdown, redacted headers", async ({ page }) => {
  await page.goto(`/requests?property.suite=${MAIN_SUITE}&property.step=hotels`);
  await page.getByRole("table", { name: "Requests" }).locator("tbody tr").first().click();
  const panel = page.getByRole("complementary", { name: "Request details" });
  await expect(panel.getByLabel("Conversation")).toContainText("Find hotels in Kyoto");
  await expect(panel.getByLabel("Cost breakdown")).toContainText("Prompt tokens");
  await panel.getByRole("tab", { name: "Headers" }).click();
  await expect(panel).not.toContainText("sk-e2e-provider");
  await expect(page).toHaveURL(/request=/);
  await screenshot(page, "request-detail");
});
