import { expect, screenshot, test } from "./fixtures";

// An admin sets how long the organization keeps its requests in Settings; the setting is kept
// (a reload and the API show it), a window that is not a whole number of days is refused with the
// reason, and the organization can follow the server's RETENTION_DAYS again (unset here: forever).
test("Settings: an admin sets the organization's retention, sees it kept, and clears it", async ({ page, apiGet }) => {
  await page.goto("/settings");
  const section = page.getByRole("region", { name: "Retention" });
  const kept = section.getByTestId("retention-effective");
  await expect(kept).toHaveText(/^forever/);

  await section.getByLabel("Days to keep").fill("0");
  await section.getByRole("button", { name: "Save" }).click();
  await expect(section.getByRole("alert")).toContainText("a whole number of days from 1");
  await expect(kept).toHaveText(/^forever/);

  await section.getByLabel("Days to keep").fill("365");
  await section.getByRole("button", { name: "Save" }).click();
  await expect(kept).toHaveText("365 days (this organization's setting)");
  await expect(section.getByRole("alert")).toHaveCount(0);
  await screenshot(page, "settings-retention");

  await page.reload();
  await expect(kept).toHaveText("365 days (this organization's setting)");
  await expect(section.getByLabel("Days to keep")).toHaveValue("365");
  expect(await apiGet("/api/v1/retention")).toEqual({ days: 365, defaultDays: null, effectiveDays: 365 });

  await section.getByRole("button", { name: "Follow the server's setting" }).click();
  await expect(kept).toHaveText(/^forever/);
  await expect(section.getByLabel("Days to keep")).toHaveValue("");
  expect(await apiGet("/api/v1/retention")).toEqual({ days: null, defaultDays: null, effectiveDays: null });
});
