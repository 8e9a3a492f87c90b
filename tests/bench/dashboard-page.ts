/**
 * The Dashboard page in a real browser (Debian's Chromium, headless, 1440×900) on a synthetic
 * database, for a custom 30-day range over the data: from navigation until the page is complete,
 * which is when it is interactive: every tile holds its number, every chart has drawn its bars or
 * lines, every breakdown table is filled, and nothing is loading or being refreshed. All of it is
 * drawn by the page's scripts (the HTML holds no data), so it is on screen only once they run.
 * Used by the insights bench; diagnostics: dashboard-page-profile.ts. Target (issue 13): ≤ 1.5 s.
 */
import { chromium, type Page } from "@playwright/test";
import type { RunningApp } from "../helpers/app-server";

const ADMIN = { email: "dashboard-bench@bench.test", password: "dashboard-bench-password-1" };
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export interface DashboardBench {
  app: RunningApp;
  /** signed in as an admin of the organization, 1440×900 */
  page: Page;
  /** the Dashboard over the range */
  path: string;
  close(): Promise<void>;
}

/** The app on the database and Chromium signed in to it; `initScript` runs in every page before the page's own scripts. */
export async function openDashboardBench(databaseUrl: string, organizationId: string, range: { from: Date; to: Date }, initScript?: string): Promise<DashboardBench> {
  const { createMember } = await import("../../lib/storage/users");
  const { hashPassword } = await import("../../lib/auth/passwords");
  const { startApp } = await import("../helpers/app-server");
  await createMember(organizationId, { email: ADMIN.email, name: null, role: "admin", passwordHash: await hashPassword(ADMIN.password) });
  const app = await startApp({ databaseUrl });
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  const close = async () => {
    await browser.close();
    await app.stop();
  };
  try {
    const context = await browser.newContext({ baseURL: app.url, viewport: { width: 1440, height: 900 } });
    if (initScript) await context.addInitScript(initScript);
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/login"));
    const path = `/dashboard?${new URLSearchParams({ from: range.from.toISOString(), to: range.to.toISOString() })}`;
    return { app, page, path, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** ms until the page is complete, per run (after one warm-up load). */
export async function timeDashboardPage(databaseUrl: string, organizationId: string, range: { from: Date; to: Date }, runs: number): Promise<number[]> {
  const { page, path, close } = await openDashboardBench(databaseUrl, organizationId, range);
  try {
    const samples: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const ms = await timeToComplete(page, path);
      if (i > 0) samples.push(ms); // the first load warms the server's caches and the browser's
    }
    return samples;
  } finally {
    await close();
  }
}

export async function timeToComplete(page: Page, path: string): Promise<number> {
  const started = performance.now();
  await page.goto(path, { waitUntil: "commit" });
  await page.waitForFunction(dashboardComplete, undefined, { timeout: 60_000, polling: "raf" });
  return performance.now() - started;
}

/**
 * Runs in the page: true once the dashboard is complete. A chart counts when its marks are drawn,
 * not when its frame is: recharts puts the <svg> in first, then the bars or lines a few renders
 * later. A card showing an error has neither, and never counts.
 */
export function dashboardComplete(): boolean {
  const requests = document.querySelector('[data-tile="Requests"] [data-value]')?.textContent ?? "";
  const charts = [...document.querySelectorAll("section[data-chart]")];
  return (
    /^\d[\d,]*$/.test(requests) &&
    charts.length > 0 &&
    charts.every((chart) => chart.querySelector(".recharts-wrapper > svg :is(.recharts-bar-rectangle, .recharts-line-curve)") !== null) &&
    document.querySelectorAll('[aria-label="Loading"], [aria-busy="true"]').length === 0
  );
}
