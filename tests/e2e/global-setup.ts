/**
 * Starts what the browser tests run against, as a user would have it: the mock LLM provider, the
 * real server (server.ts + the Next build) on a fresh database with a known admin, and traffic
 * sent through the real proxy. Logs in once and saves the cookie for the other tests. The
 * database is SQLite, or PostgreSQL with E2E_DATABASE=postgres (`npm test` runs the browser
 * suite once on each).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import { startMockProvider } from "../mock-provider/server";
import { sendDemoTraffic } from "../../scripts/demo/traffic";
import { startApp } from "../helpers/app-server";
import { createPostgresTestDatabase } from "../helpers/test-databases";
import { ADMIN, ARTIFACTS, CHROMIUM_ARGS, CHROMIUM_PATH, STORAGE_STATE, projectRoot } from "./environment";
import { seedE2eTraffic } from "./seed";

export default async function globalSetup(): Promise<() => Promise<void>> {
  const build = spawnSync(process.execPath, ["scripts/ensure-build.mjs"], { cwd: projectRoot, stdio: "inherit" });
  if (build.status !== 0) throw new Error("the Next build failed");

  const dataDir = mkdtempSync(join(tmpdir(), "tracewell-e2e-"));
  const postgres = process.env.E2E_DATABASE === "postgres" ? await createPostgresTestDatabase() : null;
  const mock = await startMockProvider();
  const app = await startApp({
    databaseUrl: postgres?.url ?? `file:${join(dataDir, "e2e.db")}`,
    openaiUpstreamUrl: mock.url,
    anthropicUpstreamUrl: mock.url,
    env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
  });
  const stop = async () => {
    await app.stop();
    await mock.close();
    await postgres?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const demo = await sendDemoTraffic({ baseUrl: app.url, apiKey: app.apiKey });
    const seeded = await seedE2eTraffic(app.url, app.apiKey);
    await waitForLoggedRequests(app.url, app.apiKey, demo.requests + 7);

    process.env.E2E_BASE_URL = app.url;
    process.env.E2E_API_KEY = app.apiKey;
    process.env.E2E_MAIN_TRACE_ID = seeded.mainTraceId;
    process.env.E2E_XSS_TRACE_ID = seeded.xssTraceId;

    mkdirSync(ARTIFACTS, { recursive: true });
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ baseURL: app.url });
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/dashboard");
    await page.context().storageState({ path: STORAGE_STATE });
    await browser.close();
  } catch (error) {
    console.error(app.output());
    await stop();
    throw error;
  }
  return stop;
}

/** The proxy logs asynchronously: wait until every request sent is stored. */
async function waitForLoggedRequests(baseUrl: string, apiKey: string, count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const response = await fetch(`${baseUrl}/api/v1/requests?limit=1000`, { headers: { authorization: `Bearer ${apiKey}` } });
    const body = (await response.json()) as { data: unknown[] };
    if (body.data.length >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${body.data.length} of ${count} requests were logged`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
