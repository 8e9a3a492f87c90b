import type { IncomingMessage, ServerResponse } from "node:http";
import { Agent } from "undici";
import type { Config } from "../shared/config";
import { saveLoggedRequests } from "../storage/requests";
import { saveLogInputsOnSqlite } from "../storage/bulk-insert";
import { isRefusedData } from "../storage/write-errors";
import { authenticateApiKey } from "../auth/api-keys";
import { handleCustomLog, type CustomLogDependencies } from "./custom-log-handler";
import { dataDirectory, resolveDatabase } from "../storage/database-url";
import { LogSpool, spoolDirectoryFor } from "./log-spool";
import { LogWriter } from "./log-writer";
import { publishLogWriterStats } from "./ingest-status";
import { normalizeInputs, type LogInput, type Unprepared } from "./log-input";
import { handleOtlpTraces, type OtlpDependencies } from "./otlp/otlp-handler";
import { parseUpstreamAllowlist } from "./proxy/upstream-target";
import { handleProxyRequest, type ProviderRoute, type ProxyDependencies } from "./proxy/proxy-handler";

const CUSTOM_LOG_PATH = "/v1/trace/custom/log";
const OTLP_TRACES_PATH = "/v1/traces";
// An OTLP export answers 200 only once stored; past this wait the exporter is told to retry (503).
const OTLP_WRITE_TIMEOUT_MS = 10_000;
// A custom log answers 200 only once stored; past this wait the caller is told to retry.
const CUSTOM_LOG_WRITE_TIMEOUT_MS = 10_000;
// Proxied calls' logs wait this long for company: at 200 calls/s, one hand-off to the write
// thread (a thread wake-up) per five calls instead of per call. Nobody waits on them; an awaited
// write (custom log, OTLP) goes at once, and shutting down flushes them.
const PROXY_LOG_GATHER_MS = 25;

export interface IngestRouter {
  /** true when the request is an ingest request (and is now being handled) */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  writer: LogWriter;
  close(): Promise<void>;
}

/** `/v1/*` and `/anthropic/*` on the lean path: proxies, the custom-log endpoint and OTLP traces. */
export function isIngestPath(url: string): boolean {
  return url.startsWith("/v1/") || url === "/v1" || url.startsWith("/anthropic/");
}

export function createIngestRouter(config: Config): IngestRouter {
  const writer = new LogWriter({
    save: saveLogInputs,
    gatherMs: PROXY_LOG_GATHER_MS,
    spool: openSpool(config),
    isRefusedData,
    onError: throttledErrorLog(),
  });
  publishLogWriterStats(() => writer.stats());
  startWriteThread();
  const dispatcher = new Agent({
    keepAliveTimeout: 30_000,
    headersTimeout: config.UPSTREAM_TIMEOUT_MS,
    bodyTimeout: config.UPSTREAM_TIMEOUT_MS,
    connections: 256,
  });
  const proxyDeps: ProxyDependencies = {
    authenticate: (key) => authenticateApiKey(key, 'Send "Helicone-Auth: Bearer <your API key>" (Authorization carries the provider\'s key).'),
    record: (exchange) => {
      writer.enqueue({ exchange });
    },
    dispatcher,
    upstreamAllowlist: parseUpstreamAllowlist(config.UPSTREAM_ALLOWLIST),
    maxRequestBodyBytes: config.MAX_REQUEST_BODY_BYTES,
    maxLoggedBodyBytes: config.MAX_LOGGED_BODY_BYTES,
  };
  const customLogDeps: CustomLogDependencies = {
    authenticate: (key) => authenticateApiKey(key),
    writer,
    maxBodyBytes: config.MAX_REQUEST_BODY_BYTES,
    writeTimeoutMs: CUSTOM_LOG_WRITE_TIMEOUT_MS,
  };
  const otlpDeps: OtlpDependencies = {
    authenticate: (key) => authenticateApiKey(key, 'Send "Authorization: Bearer <your API key>" (or Helicone-Auth) with the export.'),
    writer,
    maxBodyBytes: config.MAX_OTLP_BODY_BYTES,
    queueHighWater: config.OTLP_QUEUE_HIGH_WATER,
    writeTimeoutMs: OTLP_WRITE_TIMEOUT_MS,
  };
  const openai: ProviderRoute = { provider: "openai", mountPrefix: "", upstreamBaseUrl: config.OPENAI_UPSTREAM_URL };
  const anthropic: ProviderRoute = { provider: "anthropic", mountPrefix: "/anthropic", upstreamBaseUrl: config.ANTHROPIC_UPSTREAM_URL };

  return {
    handle(req, res) {
      const url = req.url ?? "/";
      if (!isIngestPath(url)) return false;
      res.socket?.setNoDelay(true);
      const path = url.split("?")[0];
      if (path === CUSTOM_LOG_PATH) {
        void handleCustomLog(req, res, customLogDeps);
      } else if (path === OTLP_TRACES_PATH) {
        void handleOtlpTraces(req, res, otlpDeps);
      } else {
        void handleProxyRequest(req, res, url.startsWith("/anthropic/") ? anthropic : openai, proxyDeps);
      }
      return true;
    },
    writer,
    async close() {
      await writer.flush();
      await dispatcher.close();
    },
  };
}

/**
 * On SQLite the write thread normalizes proxied exchanges, prices records and inserts, so the
 * ingest thread does none of it; on PostgreSQL that happens here, inserted through the pool.
 */
async function saveLogInputs(inputs: readonly LogInput[]): Promise<Unprepared[]> {
  const database = resolveDatabase();
  if (database.kind === "sqlite") return saveLogInputsOnSqlite(database.filePath, inputs);
  const { records, unprepared } = normalizeInputs(inputs);
  await saveLoggedRequests(records);
  return unprepared;
}

/** The SQLite write thread loads its modules (price table, tokenizer) now, not on the first call. */
function startWriteThread(): void {
  const database = resolveDatabase();
  if (database.kind === "sqlite") saveLogInputsOnSqlite(database.filePath, []).catch(() => {});
}

/** The log spool, or none when LOG_SPOOL_MAX_BYTES is 0 (logs then wait in memory only). */
function openSpool(config: Config): LogSpool | undefined {
  if (config.LOG_SPOOL_MAX_BYTES === 0) return undefined;
  const directory = config.LOG_SPOOL_DIR ?? spoolDirectoryFor(dataDirectory(), resolveDatabase().url);
  return new LogSpool(directory, config.LOG_SPOOL_MAX_BYTES);
}

/** Storage errors while the database is down repeat on every retry: say so once per 10 s. */
function throttledErrorLog(): (error: unknown) => void {
  let lastAt = 0;
  return (error) => {
    const now = Date.now();
    if (now - lastAt < 10_000) return;
    lastAt = now;
    console.error("[log-writer] could not store logs, will retry:", error instanceof Error ? error.message : error);
  };
}
