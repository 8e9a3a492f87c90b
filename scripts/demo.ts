/**
 * `npm run demo`: fills the dashboard with realistic traffic (scripts/demo/traffic.ts): the seed's
 * four examples, a failing branch, a 12-level trace, a 40-way fan-out, sessions of three users.
 *
 * Default: self-contained. Writes into the database `npm start` uses (DATABASE_URL, default
 * ./data/tracing.db), whether or not the app is running: a mock LLM provider and the real ingest
 * path (the same logging proxy and custom-log code as the server, lib/ingest) run inside this
 * process on loopback ports, with a temporary API key that is revoked at the end. Nothing leaves
 * the machine and no provider key is needed.
 *
 *   npm run demo
 *
 * Against a running app instead (e.g. another machine's): pass its URL and an API key. Its
 * upstream must be a mock provider, which this script starts on --mock-port (default 8789):
 *
 *   OPENAI_UPSTREAM_URL=http://127.0.0.1:8789 ANTHROPIC_UPSTREAM_URL=http://127.0.0.1:8789 npm start
 *   npm run demo -- --url http://localhost:3000 --key sk-tw-…   (or HELICONE_API_KEY / DEMO_API_KEY)
 */
import { setMaxListeners } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { startMockProvider } from "../tests/mock-provider/server";
import { sendDemoHistory } from "./demo/history";
import { sendDemoTraffic } from "./demo/traffic";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    key: { type: "string" },
    "mock-port": { type: "string", default: "8789" },
  },
});
// Dozens of concurrent mock delays share one abort signal.
setMaxListeners(500);

const log = (line: string) => console.log(`  ✓ ${line}`);

async function againstRunningApp(url: string): Promise<void> {
  const key = values.key ?? process.env.HELICONE_API_KEY ?? process.env.DEMO_API_KEY;
  if (!key) throw new Error("--url needs an API key: --key sk-tw-… (or HELICONE_API_KEY / DEMO_API_KEY)");
  const mock = await startMockProvider({ port: Number(values["mock-port"]) });
  try {
    await assertUpstreamIsMock(url, key, mock.url);
    console.log(`Sending demo traffic through ${url} (upstream: mock provider at ${mock.url})`);
    const result = await sendDemoTraffic({ baseUrl: url, apiKey: key, log });
    const history = await sendDemoHistory({ baseUrl: url, apiKey: key });
    log(`a week of past traffic (${history.requests} calls) for the Dashboard`);
    console.log(`\nSent ${result.requests + history.requests} requests. Open ${url}/dashboard`);
  } finally {
    await mock.close();
  }
}

/** One probe call: the mock answers `chatcmpl-mock…`; anything else means the app forwards elsewhere. */
async function assertUpstreamIsMock(url: string, key: string, mockUrl: string): Promise<void> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "helicone-auth": `Bearer ${key}`, authorization: "Bearer sk-demo", "helicone-property-demo": "probe" },
    body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "demo probe" }] }),
  }).catch((error: unknown) => {
    throw new Error(`cannot reach ${url}: ${String(error)}`);
  });
  if (response.status === 401) throw new Error(`${url} refused the API key (401)`);
  const body = (await response.json().catch(() => null)) as { id?: string } | null;
  if (!body?.id?.startsWith("chatcmpl-mock")) {
    throw new Error(
      `${url} does not forward to the mock provider. Start it with\n` +
        `  OPENAI_UPSTREAM_URL=${mockUrl} ANTHROPIC_UPSTREAM_URL=${mockUrl} npm start\n` +
        `or run \`npm run demo\` without --url to write into the local database directly.`,
    );
  }
}

async function selfContained(): Promise<void> {
  const { config: readConfig } = await import("../lib/shared/config");
  const { migrateDatabase } = await import("../lib/storage/migrate");
  const { ensureFirstStart } = await import("../lib/auth/first-start");
  const { createApiKey, revokeApiKey } = await import("../lib/auth/api-keys");
  const { createIngestRouter } = await import("../lib/ingest/ingest-router");
  const { resolveDatabase } = await import("../lib/storage/database-url");
  const { closeDb } = await import("../lib/storage/db");

  const database = resolveDatabase();
  console.log(`Demo data for ${database.kind === "sqlite" ? `SQLite at ${database.filePath}` : "PostgreSQL (DATABASE_URL)"}`);
  await migrateDatabase();
  const firstStart = await ensureFirstStart({});
  const { key, apiKey } = await createApiKey(firstStart.organizationId, "Demo (npm run demo, revoked when done)");
  const mock = await startMockProvider();
  const config = readConfig();
  const ingest = createIngestRouter({ ...config, OPENAI_UPSTREAM_URL: mock.url, ANTHROPIC_UPSTREAM_URL: mock.url });
  const server: Server = createServer((req, res) => {
    if (!ingest.handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const result = await sendDemoTraffic({ baseUrl: url, apiKey: key, log });
    const history = await sendDemoHistory({ baseUrl: url, apiKey: key });
    log(`a week of past traffic (${history.requests} calls) for the Dashboard`);
    await ingest.close(); // every accepted log is written before this resolves
    console.log(`\nStored ${result.requests} requests in ${result.traceIds.length} traces, and ${history.requests} over the past week.`);
  } finally {
    server.close();
    await mock.close();
    await revokeApiKey(firstStart.organizationId, apiKey.id);
    await closeDb();
  }
  if (firstStart.admin) {
    console.log(`\nNew database: sign in as ${firstStart.admin.email} with password ${firstStart.admin.password} (shown once).`);
    if (firstStart.apiKey) console.log(`API key: ${firstStart.apiKey}`);
  }
  console.log(`Open http://localhost:${config.PORT}/dashboard (start the app with \`npm start\` if it is not running).`);
}

try {
  if (values.url) await againstRunningApp(values.url.replace(/\/+$/, ""));
  else await selfContained();
  process.exit(0);
} catch (error) {
  console.error(`\nDemo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
