/**
 * The Dashboard page in a real browser (Debian's Chromium, headless, 1440×900) on a synthetic
 * database: from navigation to the page fully loaded, i.e. every tile holding its number, every
 * chart drawn and every breakdown table filled (no loading placeholder left), for a custom 30-day
 * range over the data. Used by the insights bench. Target (issue 13): ≤ 1.5 s.
 */
import { chromium, type Page } from "@playwright/test";

const ADMIN = { email: "dashboard-bench@bench.test", password: "dashboard-bench-password-1" };
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** ms until the page is complete, per run (after one warm-up load). */
export async function timeDashboardPage(databaseUrl: string, organizationId: string, range: { from: Date; to: Date }, runs: number): Promise<number[]> {
  const { createMember } = await import("../../lib/storage/users");
  const { hashPassword } = await import("../../lib/auth/passwords");
  const { startApp } = await import("../helpers/app-server");
  await createMember(organizationId, { email: ADMIN.email, name: null, role: "admin", passwordHash: await hashPassword(ADMIN.password) });
  const app = await startApp({ databaseUrl });
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ baseURL: app.url, viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/login"));
    const path = `/dashboard?${new URLSearchParams({ from: range.from.toISOString(), to: range.to.toISOString() })}`;
    const samples: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const ms = await timeToComplete(page, path);
      if (i > 0) samples.push(ms); // the first load warms the server's caches and the browser's
    }
    return samples;
  } finally {
    await browser.close();
    await app.stop();
  }
}

export async function timeToComplete(page: Page, path: string): Promise<number> {
  const started = performance.now();
  await page.goto(path, { waitUntil: "commit" });
  await page.locator('[data-tile="Requests"] [data-value]').filter({ hasText: /^\d[\d,]*$/ }).waitFor({ timeout: 60_000 });
  await page.locator("section[data-chart] .recharts-wrapper > svg").first().waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => document.querySelectorAll('[aria-label="Loading"], [aria-busy="true"]').length === 0, undefined, { timeout: 60_000, polling: 20 });
  return performance.now() - started;
}
