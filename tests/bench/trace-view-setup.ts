/**
 * What the trace-view bench and its diagnostics share: a fresh SQLite database holding the bench
 * traces (inserted straight through lib/storage), the app on it, and headless Chromium signed in.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext } from "@playwright/test";
import type { LoggedRequest } from "../../lib/domain/logged-request";
import type { RunningApp } from "../helpers/app-server";
import { chainTraceRequests, randomTraceRequests } from "./synthetic-requests";

const ADMIN = { email: "bench@bench.test", password: "bench-password-123" };
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export const TRACE_CASES = {
  "2k": { name: "random tree, 2,000 nodes", traceId: "bench-2k", requests: (org: string) => randomTraceRequests(org, "bench-2k", 2_000, 2) },
  "10k": { name: "random tree, 10,000 nodes", traceId: "bench-10k", requests: (org: string) => randomTraceRequests(org, "bench-10k", 10_000, 10) },
  deep: { name: "chain, 100 levels", traceId: "bench-deep", requests: (org: string) => chainTraceRequests(org, "bench-deep", 100) },
} satisfies Record<string, { name: string; traceId: string; requests(organizationId: string): LoggedRequest[] }>;

export type TraceCaseName = keyof typeof TRACE_CASES;

export interface TraceViewBench {
  app: RunningApp;
  browser: Browser;
  /** signed in as the bench's admin, 1440×900 */
  context: BrowserContext;
  close(): Promise<void>;
}

export async function startTraceViewBench(tempPrefix: string, cases: readonly TraceCaseName[]): Promise<TraceViewBench> {
  const dataDir = mkdtempSync(join(tmpdir(), tempPrefix));
  const removeData = () => rmSync(dataDir, { recursive: true, force: true });
  try {
    // Set before lib/storage is loaded: it reads the URL once.
    process.env.DATABASE_URL = `file:${join(dataDir, "bench.db")}`;
    const { migrateDatabase } = await import("../../lib/storage/migrate");
    const { ensureFirstStart } = await import("../../lib/auth/first-start");
    const { saveLoggedRequests } = await import("../../lib/storage/request-rows");
    const { closeDb } = await import("../../lib/storage/db");
    const { startApp } = await import("../helpers/app-server");

    await migrateDatabase();
    const { organizationId } = await ensureFirstStart({ adminEmail: ADMIN.email, adminPassword: ADMIN.password });
    for (const name of new Set(cases)) {
      const requests = TRACE_CASES[name].requests(organizationId);
      for (let i = 0; i < requests.length; i += 1000) await saveLoggedRequests(requests.slice(i, i + 1000));
    }
    await closeDb();

    const app = await startApp({ databaseUrl: process.env.DATABASE_URL, env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } });
    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
    const context = await browser.newContext({ baseURL: app.url, viewport: { width: 1440, height: 900 } });
    const login = await context.newPage();
    await login.goto("/login");
    await login.getByLabel("E-mail").fill(ADMIN.email);
    await login.getByLabel("Password").fill(ADMIN.password);
    await login.getByRole("button", { name: "Sign in" }).click();
    await login.waitForURL((url) => !url.pathname.startsWith("/login"));
    await login.close();
    return {
      app,
      browser,
      context,
      async close() {
        await browser.close();
        await app.stop();
        removeData();
      },
    };
  } catch (error) {
    removeData();
    throw error;
  }
}
