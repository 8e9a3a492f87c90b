import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, expect } from "@playwright/test";
import { startApp, type RunningApp } from "../helpers/app-server";
import { jsonExportRequest, randomHexId } from "../helpers/otlp-requests";

// A web page exports spans and logs a call from the browser, as a browser OTLP exporter does:
// fetch with an Authorization header and a JSON body, so Chromium sends its own preflight first.
// The app lists the page's origin in CORS_ALLOWED_ORIGINS; a page on another origin is refused.

test.use({ storageState: { cookies: [], origins: [] } });

let dataDir: string;
let app: RunningApp;
let page1: { server: Server; origin: string };
let page2: { server: Server; origin: string };

async function startPageServer(hostname: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>an app that traces itself</title><p>hello</p>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { server, origin: `http://${hostname}:${port}` };
}

test.beforeAll(async () => {
  page1 = await startPageServer("127.0.0.1");
  page2 = await startPageServer("localhost");
  dataDir = mkdtempSync(join(tmpdir(), "tracewell-cors-"));
  app = await startApp({ databaseUrl: `file:${join(dataDir, "cors.db")}`, env: { CORS_ALLOWED_ORIGINS: page1.origin } });
});

test.afterAll(async () => {
  await app?.stop();
  await Promise.all([page1, page2].map(({ server }) => new Promise((resolve) => server.close(resolve))));
  rmSync(dataDir, { recursive: true, force: true });
});

/** What the page runs: a POST with the key in Authorization (which makes Chromium preflight it). */
async function sendFromPage(
  page: import("@playwright/test").Page,
  url: string,
  apiKey: string,
  body: unknown,
): Promise<{ status: number; text: string } | { failed: string }> {
  return page.evaluate(
    async ({ url, apiKey, body }) => {
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        return { status: response.status, text: await response.text() };
      } catch (error) {
        return { failed: String(error) };
      }
    },
    { url, apiKey, body },
  );
}

test("a page on a listed origin exports spans and a custom log; the trace is stored", async ({ page }) => {
  await page.goto(page1.origin);

  const traceId = randomHexId(16);
  const rootId = randomHexId(8);
  const now = Date.now();
  const spans = jsonExportRequest([
    { traceId, spanId: rootId, name: "checkout page", startMs: now - 40, endMs: now },
    {
      traceId,
      spanId: randomHexId(8),
      parentSpanId: rootId,
      name: "chat gpt-4o-mini",
      startMs: now - 30,
      endMs: now - 5,
      attributes: { "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 7 },
    },
  ]);
  const exported = await sendFromPage(page, `${app.url}/v1/traces`, app.apiKey, spans);
  expect(exported).toMatchObject({ status: 200 });

  const logged = await sendFromPage(page, `${app.url}/v1/trace/custom/log`, app.apiKey, {
    provider: "openai",
    providerRequest: { url: "https://api.openai.com/v1/chat/completions", json: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] } },
    providerResponse: { status: 200, json: { model: "gpt-4o-mini", choices: [{ message: { role: "assistant", content: "hello from the page" } }] } },
  });
  expect(logged).toMatchObject({ status: 200 });
  // (Chromium's preflights are not visible to Playwright; without a 204 to them the POSTs above
  // would have failed as in the next test.)

  const trace = await fetch(`${app.url}/api/v1/traces/${traceId}`, { headers: { authorization: `Bearer ${app.apiKey}` } });
  expect(trace.status).toBe(200);
  const document = await trace.json();
  expect(JSON.stringify(document)).toContain("chat gpt-4o-mini");
  const request = await fetch(`${app.url}/api/v1/requests/${JSON.parse((logged as { text: string }).text).id}`, {
    headers: { authorization: `Bearer ${app.apiKey}` },
  });
  expect(request.status).toBe(200);
});

test("a page on another origin is refused by the browser, and nothing is stored", async ({ page }) => {
  await page.goto(page2.origin);
  const traceId = randomHexId(16);
  const now = Date.now();
  const result = await sendFromPage(page, `${app.url}/v1/traces`, app.apiKey, jsonExportRequest([{ traceId, spanId: randomHexId(8), name: "not allowed", startMs: now - 5, endMs: now }]));
  expect(result).toMatchObject({ failed: expect.stringContaining("Failed to fetch") });
  const trace = await fetch(`${app.url}/api/v1/traces/${traceId}`, { headers: { authorization: `Bearer ${app.apiKey}` } });
  expect(trace.status).toBe(404);
});
