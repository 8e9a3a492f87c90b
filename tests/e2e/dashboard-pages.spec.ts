import { expect, screenshot, test } from "./fixtures";
import { ADMIN } from "./environment";

test("Sessions lists each session with its user, counts and cost; a session page shows its timeline and traces", async ({ page, apiGet }) => {
  await page.goto("/sessions");
  const table = page.getByRole("table", { name: "Sessions" });
  const refund = table.getByRole("row").filter({ hasText: "Refund request #4411" });
  await expect(refund).toContainText("bob@example.com");
  const sessions = await apiGet("/api/v1/sessions?search=Refund");
  expect(sessions.data).toHaveLength(1);
  await expect(refund).toContainText(String(sessions.data[0].requestCount));
  await screenshot(page, "sessions");

  await refund.getByRole("link").first().click();
  await expect(page).toHaveURL(/\/sessions\/sess-/);
  const timeline = page.getByRole("region", { name: "Session timeline" }).or(page.getByLabel("Session timeline"));
  await expect(timeline.getByRole("listitem")).toHaveCount(sessions.data[0].requestCount);
  await expect(page.getByLabel("Traces in this session").getByRole("link")).toHaveCount(1);
  await screenshot(page, "session");
  await page.getByLabel("Traces in this session").getByRole("link").click();
  await expect(page).toHaveURL(/\/traces\/support-agent-/);
  await expect(page.locator(".react-flow__node").first()).toBeVisible();
});

test("Users shows each Helicone-User-Id with requests, traces and cost, and links to their requests", async ({ page, apiGet }) => {
  await page.goto("/users");
  const users = await apiGet("/api/v1/users");
  const alice = users.data.find((u: { userId: string }) => u.userId === "alice@example.com");
  const row = page.getByRole("table", { name: "Users" }).getByRole("row").filter({ hasText: "alice@example.com" });
  await expect(row).toContainText(String(alice.requestCount));
  await expect(row).toContainText(String(alice.traceCount));
  await screenshot(page, "users");
  await row.getByRole("link", { name: "alice@example.com" }).click();
  await expect(page).toHaveURL(/\/requests\?userId=alice%40example\.com/);
  await expect(page.getByRole("table", { name: "Requests" }).locator("tbody tr")).toHaveCount(alice.requestCount);
});

test("Settings: a new API key is shown once and works; revoked, it stops at once", async ({ page, baseURL }) => {
  await page.goto("/settings");
  await page.getByLabel("Key name").fill("e2e script");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByLabel("New API key").textContent())!.trim();
  expect(key).toMatch(/^sk-tw-/);
  const call = () => fetch(`${baseURL}/api/v1/requests?limit=1`, { headers: { authorization: `Bearer ${key}` } });
  expect((await call()).status).toBe(200);
  await screenshot(page, "settings");

  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByLabel("New API key")).toHaveCount(0);
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Revoke e2e script" }).click();
  await expect(page.getByRole("table", { name: "API keys" }).getByRole("row").filter({ hasText: "e2e script" })).toContainText("revoked");
  expect((await call()).status).toBe(401);
});

test("an invited member signs in with the password shown once", async ({ page, browser, baseURL }) => {
  await page.goto("/settings");
  const email = `member-${Date.now()}@e2e.test`;
  await page.getByLabel("E-mail to invite").fill(email);
  await page.getByRole("button", { name: "Invite" }).click();
  const password = (await page.getByLabel("First password").textContent())!.trim();

  const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const member = await context.newPage();
  await member.goto("/login");
  await member.getByLabel("E-mail").fill(email);
  await member.getByLabel("Password").fill(password);
  await member.getByRole("button", { name: "Sign in" }).click();
  await expect(member).toHaveURL(/\/dashboard$/);
  await expect(member.getByTestId("signed-in-as")).toHaveText(email);
  // Members cannot invite: the API refuses, whatever the page shows.
  const invite = await member.request.post("/api/v1/members", { data: { email: "x@e2e.test" } });
  expect(invite.status()).toBe(403);
  await context.close();
});

test.describe("signing out and in", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("a wrong password is refused; signing out ends the session for pages and the API alike", async ({ page }) => {
    await page.goto("/requests?model=gpt-4");
    await expect(page).toHaveURL(/\/login\?callbackUrl=%2Frequests%3Fmodel%3Dgpt-4/);
    await page.getByLabel("E-mail").fill(ADMIN.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Wrong e-mail or password." })).toBeVisible();

    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/requests\?model=gpt-4$/);
    expect((await page.request.get("/api/v1/requests?limit=1")).status()).toBe(200);

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login/);
    expect((await page.request.get("/api/v1/requests?limit=1")).status()).toBe(401);
    await page.goto("/traces/anything");
    await expect(page).toHaveURL(/\/login\?callbackUrl=%2Ftraces%2Fanything/);
  });
});
