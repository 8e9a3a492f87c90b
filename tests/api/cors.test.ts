import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../helpers/app-server";
import { jsonExportRequest, randomHexId } from "../helpers/otlp-requests";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-databases";

// A browser sends OTLP or a custom log from a page's origin: first a preflight (OPTIONS with
// Access-Control-Request-*), then the POST with an Origin header. Only the listed origins get CORS
// headers, each answered by name; with nothing listed no response carries any.

const ALLOWED = "https://app.example.com";
const ALSO_ALLOWED = "http://localhost:5173";
const OTHER = "https://evil.example.net";

function preflight(app: RunningApp, path: string, origin: string, headers = "authorization, content-type") {
  return fetch(`${app.url}${path}`, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": headers },
  });
}

function postSpan(app: RunningApp, origin: string | null, path = "/v1/traces") {
  const traceId = randomHexId(16);
  const now = Date.now();
  const body = jsonExportRequest([{ traceId, spanId: randomHexId(8), name: "browser span", startMs: now - 5, endMs: now }]);
  return fetch(`${app.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${app.apiKey}`, ...(origin ? { origin } : {}) },
    body: JSON.stringify(body),
  });
}

describe("CORS with CORS_ALLOWED_ORIGINS set", () => {
  let database: TestDatabase;
  let app: RunningApp;
  beforeAll(async () => {
    database = await createSqliteTestDatabase();
    app = await startApp({ databaseUrl: database.url, env: { CORS_ALLOWED_ORIGINS: `${ALLOWED}, ${ALSO_ALLOWED}/` } });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.cleanup();
  });

  it.each(["/v1/traces", "/api/public/otel/v1/traces", "/v1/trace/custom/log", "/custom/v1/log", "/oai/v1/log", "/anthropic/v1/log"])(
    "answers the preflight on %s for a listed origin, by name",
    async (path) => {
      const response = await preflight(app, path, ALSO_ALLOWED, "authorization, content-type, content-encoding");
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe(ALSO_ALLOWED);
      expect(response.headers.get("access-control-allow-methods")).toBe("POST");
      const allowedHeaders = response.headers.get("access-control-allow-headers")!.split(", ");
      expect(allowedHeaders).toEqual(expect.arrayContaining(["authorization", "content-type", "content-encoding"]));
      expect(response.headers.get("access-control-allow-credentials")).toBeNull();
      expect(response.headers.get("vary")).toContain("Origin");
    },
  );

  it("lets Helicone headers through for custom logs sent from a page", async () => {
    const response = await preflight(app, "/v1/trace/custom/log", ALLOWED, "authorization, content-type, helicone-node-id, helicone-session-id");
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-headers")).toContain("helicone-node-id");
  });

  it("refuses the preflight of an origin that is not listed, with no CORS header and a reason", async () => {
    const response = await preflight(app, "/v1/traces", OTHER);
    expect(response.status).toBe(403);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect((await response.json()).error.message).toContain(OTHER);
  });

  it("refuses a header or a method the endpoints do not take", async () => {
    const header = await preflight(app, "/v1/traces", ALLOWED, "authorization, x-secret-thing");
    expect(header.status).toBe(403);
    expect((await header.json()).error.message).toContain("x-secret-thing");
    const method = await fetch(`${app.url}/v1/traces`, { method: "OPTIONS", headers: { origin: ALLOWED, "access-control-request-method": "DELETE" } });
    expect(method.status).toBe(403);
  });

  it("stores a POST from a listed origin and names that origin in the answer", async () => {
    const response = await postSpan(app, ALLOWED);
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("gives a listed origin's errors CORS headers too, so the page can read why", async () => {
    const response = await fetch(`${app.url}/v1/traces`, {
      method: "POST",
      headers: { origin: ALLOWED, "content-type": "application/json", authorization: "Bearer sk-not-a-key" },
      body: "{}",
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("access-control-allow-origin")).toBe(ALLOWED);
  });

  it("gives another origin no CORS header (the browser then withholds the answer)", async () => {
    const response = await postSpan(app, OTHER);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("never adds CORS headers to the proxy", async () => {
    const response = await fetch(`${app.url}/v1/chat/completions`, { method: "OPTIONS", headers: { origin: ALLOWED, "access-control-request-method": "POST" } });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("CORS by default", () => {
  let database: TestDatabase;
  let app: RunningApp;
  beforeAll(async () => {
    database = await createSqliteTestDatabase();
    app = await startApp({ databaseUrl: database.url });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.cleanup();
  });

  it("sends no CORS header, and the preflight says how to turn it on", async () => {
    const refused = await preflight(app, "/v1/traces", ALLOWED);
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    expect((await refused.json()).error.message).toContain("CORS_ALLOWED_ORIGINS");
    const stored = await postSpan(app, ALLOWED);
    expect(stored.status).toBe(200);
    expect(stored.headers.get("access-control-allow-origin")).toBeNull();
    expect(stored.headers.get("vary")).toBeNull();
  });
});

describe("CORS_ALLOWED_ORIGINS that is not a list of origins", () => {
  it.each(["*", "https://app.example.com/path", "app.example.com"])("stops the server at start, naming %s", async (value) => {
    const database = await createSqliteTestDatabase();
    try {
      await expect(startApp({ databaseUrl: database.url, env: { CORS_ALLOWED_ORIGINS: value } })).rejects.toThrow(/CORS_ALLOWED_ORIGINS/);
    } finally {
      await database.cleanup();
    }
  });
});
