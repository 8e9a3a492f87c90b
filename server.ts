/**
 * The process `npm start` runs. Ingest traffic (`/v1/*`, `/anthropic/*`) is served right here on
 * a lean node:http path, because a Next route handler in front of every LLM call measured 3–5×
 * slower than a bare proxy (README: Performance); every other request goes to Next's request handler.
 * OTLP over gRPC has its own port (OTLP_GRPC_PORT), served by grpc-js.
 */
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import next from "next";
import { config as readConfig } from "./lib/shared/config";
import { createIngestRouter } from "./lib/ingest/ingest-router";
import { startOtlpGrpcServer, type OtlpGrpcServer } from "./lib/ingest/otlp/otlp-grpc-server";
import { migrateDatabase } from "./lib/storage/migrate";
import { createPartitionsAhead, ensurePartitionedLayout } from "./lib/storage/partitions";
import { buildMetricsRollupsIfNeeded } from "./lib/storage/metrics-rollup-rebuild";
import { resolveDatabase } from "./lib/storage/database-url";
import { ensureFirstStart } from "./lib/auth/first-start";
import { authSecret, warnIfAuthSecretNotShared } from "./lib/auth/auth-secret";
import { closeRedis, connectRedis } from "./lib/shared/redis";
import { closeDb } from "./lib/storage/db";
import { withStartupLock } from "./lib/storage/startup-lock";
import { answerClientError } from "./lib/http/client-error";
import { compressResponse } from "./lib/http/compression";
import { startRetentionSchedule } from "./lib/storage/retention-schedule";
import { runRetentionStepOnWriteThread } from "./lib/ingest/writer/write-thread";

const dev = process.argv.includes("--dev");
// Long enough for an export waiting on storage (10 s at most) to be answered in most cases.
const OTLP_GRPC_SHUTDOWN_GRACE_MS = 5_000;
const config = readConfig();
// Settled (generated on a first start) before anything can ask for a session.
authSecret();
warnIfAuthSecretNotShared();
// With REDIS_URL: connected before the first call, so it already counts against the shared rate limit.
await connectRedis();

const { applied } = await migrateDatabase();
if (applied.length > 0) console.log(`Applied database migrations: ${applied.join(", ")}`);
// PostgreSQL: the request tables partitioned by time (a database from before is taken over once) and
// the partitions of the coming days, each step under an advisory lock; nothing on SQLite.
const takeOver = await ensurePartitionedLayout(resolveDatabase().url);
if (takeOver && takeOver.requests > 0) console.log(`Partitioned the request tables by time: ${takeOver.requests.toLocaleString("en-US")} requests in ${takeOver.durationMs} ms.`);
await createPartitionsAhead(resolveDatabase().url, new Date()).catch((error: unknown) =>
  console.error("Could not create the partitions ahead; new requests go to the default partition until the next try:", error),
);
// A database from before the Insights rollups builds them once, beside serving (metrics read raw rows meanwhile).
void buildMetricsRollupsIfNeeded()
  .then((counted) => counted > 0 && console.log(`Built the Insights rollups from ${counted.toLocaleString("en-US")} stored requests.`))
  .catch((error: unknown) => console.error("Could not build the Insights rollups; the Dashboard reads the raw rows meanwhile:", error));
const firstStart = await withStartupLock(() =>
  ensureFirstStart({ adminEmail: config.ADMIN_EMAIL, adminPassword: config.ADMIN_PASSWORD, seedApiKey: config.SEED_API_KEY }),
);
printFirstStart(firstStart);

const ingest = createIngestRouter(config);
// Assigned once Next is ready; requests before that are answered 503 by the handler below.
// eslint-disable-next-line prefer-const -- read by the request handler before it is assigned
let handleWithNext: ReturnType<ReturnType<typeof next>["getRequestHandler"]> | undefined;

const server = createServer((req, res) => {
  if (ingest.handle(req, res)) return;
  if (handleWithNext) {
    // Next's own compression is off (next.config.mjs): it spent more on a large trace than building it.
    compressResponse(req, res);
    void handleWithNext(req, res);
  } else res.writeHead(503, { "retry-after": "1", "content-type": "text/plain" }).end("Starting, try again in a moment.\n");
});
server.keepAliveTimeout = 65_000;
// A request node:http cannot parse (CR/LF/NUL in a header, bad framing) gets a 4xx that says why.
server.on("clientError", answerClientError);
await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
const address = server.address();
const port = typeof address === "object" && address ? address.port : config.PORT;
const host = config.HOST === "0.0.0.0" || config.HOST === "::" ? "localhost" : config.HOST;
// Before Next is ready: exports need nothing from it. Printed before "Listening on", the line
// tests and scripts wait for.
const otlpGrpc = config.OTLP_GRPC_PORT === 0 ? null : await startOtlpGrpc(config.OTLP_GRPC_PORT);

// Next is told the port actually bound (PORT=0 picks one): it fetches its own pages by it after a
// server action redirects (the login form).
const app = next({ dev, dir: fileURLToPath(new URL(".", import.meta.url)), hostname: config.HOST, port });
await app.prepare();
handleWithNext = app.getRequestHandler();
console.log(`Database: ${describeDatabase()}`);
console.log(`Listening on http://${host}:${port}`);
// Retention (README: Retention); on SQLite its deletes take turns with the log batches on the write thread.
const retention = startRetentionSchedule({ sqliteSteps: runRetentionStepOnWriteThread });

let shuttingDown = false;
async function shutDown(): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  server.close();
  server.closeIdleConnections();
  // Exports in progress still need the log writer: they finish (or are cut) before it is flushed.
  await otlpGrpc?.close(OTLP_GRPC_SHUTDOWN_GRACE_MS);
  await retention.stop();
  // Logs already accepted are written before the process exits.
  await ingest.close();
  await closeDb();
  await closeRedis();
  process.exit(0);
}
process.on("SIGTERM", () => void shutDown());
process.on("SIGINT", () => void shutDown());

/**
 * A busy port (most likely an OpenTelemetry Collector on 4317, the same default) costs OTLP/gRPC
 * only: the dashboard, the proxy and OTLP/HTTP go on, and the log says how to resolve it.
 */
async function startOtlpGrpc(grpcPort: number): Promise<OtlpGrpcServer | null> {
  try {
    const started = await startOtlpGrpcServer(config.HOST, grpcPort, ingest.otlp);
    console.log(`OTLP gRPC listening on ${host}:${started.port}`);
    return started;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(
      `OTLP gRPC is OFF: could not listen on ${config.HOST}:${grpcPort} (${reason}). ` +
        `Is another OTLP receiver, such as an OpenTelemetry Collector, using the port? Set OTLP_GRPC_PORT to a free port, ` +
        `or to 0 to turn OTLP/gRPC off. Everything else, OTLP/HTTP on /v1/traces included, is served as usual.`,
    );
    return null;
  }
}

function printFirstStart(result: Awaited<ReturnType<typeof ensureFirstStart>>): void {
  if (!result.admin && !result.apiKey) return;
  const lines = ["", "First start: shown once, keep them now."];
  if (result.admin) {
    lines.push(`  Login:    ${result.admin.email}`);
    lines.push(`  Password: ${config.ADMIN_PASSWORD ? "(the ADMIN_PASSWORD you set)" : result.admin.password}`);
  }
  if (result.apiKey) lines.push(`  API key:  ${result.apiKey}`);
  console.log(lines.join("\n") + "\n");
}

/** Where the data lives, without the password a PostgreSQL URL may carry. */
function describeDatabase(): string {
  const database = resolveDatabase();
  if (database.kind === "sqlite") return `SQLite at ${database.filePath}`;
  const url = new URL(database.url);
  return `PostgreSQL at ${url.host}${url.pathname}`;
}
