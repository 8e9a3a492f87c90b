import type { IncomingMessage, ServerResponse } from "node:http";
import { Agent } from "undici";
import { authenticateApiKey } from "../auth/api-keys";
import { corsPolicy } from "../http/cors";
import type { Config } from "../shared/config";
import { handleCustomLog, type CustomLogDependencies } from "./custom-log-handler";
import { createLogWriter } from "./writer/create-log-writer";
import type { LogWriter } from "./writer/log-writer";
import type { OtlpDependencies } from "./otlp/ingest-otlp-export";
import { handleOtlpTraces } from "./otlp/otlp-handler";
import { parseUpstreamAllowlist } from "./proxy/upstream-target";
import { handleProxyRequest, type ProviderRoute, type ProxyDependencies } from "./proxy/proxy-handler";

/**
 * The custom log (the seed's path) and the paths Helicone's own loggers post to
 * (`<loggingEndpoint>/custom/v1/log`, or per provider): the value is the provider the route
 * implies, null when the body or its URL must say.
 */
const CUSTOM_LOG_ROUTES: ReadonlyMap<string, string | null> = new Map([
  ["/v1/trace/custom/log", null],
  ["/custom/v1/log", null],
  ["/oai/v1/log", "openai"],
  ["/anthropic/v1/log", "anthropic"],
  ["/googleapis/v1/log", "google"],
]);
/** OTLP/HTTP traces: the standard path, and the one Langfuse's SDKs export to (`<baseUrl>/api/public/otel`). */
const OTLP_TRACES_PATHS: ReadonlySet<string> = new Set(["/v1/traces", "/api/public/otel/v1/traces"]);
// An OTLP export answers 200 only once stored; past this wait the exporter is told to retry (503).
const OTLP_WRITE_TIMEOUT_MS = 10_000;
// A custom log answers 200 only once stored; past this wait the caller is told to retry.
const CUSTOM_LOG_WRITE_TIMEOUT_MS = 10_000;
// A proxied answer ends once its log is durable (a batch commit, a spool write: milliseconds);
// a database slower than this costs the log's durability, never the client's time beyond it.
const PROXY_LOG_DURABLE_WAIT_MS = 1_000;

export interface IngestRouter {
  /** true when the request is an ingest request (and is now being handled) */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  writer: LogWriter;
  /** what an OTLP export needs, whichever transport carries it: OTLP/gRPC (server.ts) serves with these too */
  otlp: OtlpDependencies;
  close(): Promise<void>;
}

/** `/v1/*`, `/anthropic/*` and the log and trace aliases on the lean path: proxies, custom logs and OTLP traces. */
export function isIngestPath(url: string): boolean {
  if (url.startsWith("/v1/") || url === "/v1" || url.startsWith("/anthropic/")) return true;
  const path = url.split("?")[0]!;
  return CUSTOM_LOG_ROUTES.has(path) || OTLP_TRACES_PATHS.has(path);
}

export function createIngestRouter(config: Config): IngestRouter {
  const writer = createLogWriter(config);
  const dispatcher = new Agent({
    keepAliveTimeout: 30_000,
    headersTimeout: config.UPSTREAM_TIMEOUT_MS,
    bodyTimeout: config.UPSTREAM_TIMEOUT_MS,
    connections: 256,
  });
  const proxyDeps: ProxyDependencies = {
    authenticate: (key) => authenticateApiKey(key, 'Send "Helicone-Auth: Bearer <your API key>" (Authorization carries the provider\'s key).'),
    record: (exchange) => writer.persist({ exchange }, PROXY_LOG_DURABLE_WAIT_MS),
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
    authenticate: (key) =>
      authenticateApiKey(key, 'Send "Authorization: Bearer <your API key>" (or Helicone-Auth) with the export; Langfuse\'s SDKs: your API key as the secret key.'),
    writer,
    maxBodyBytes: config.MAX_OTLP_BODY_BYTES,
    queueHighWater: config.OTLP_QUEUE_HIGH_WATER,
    writeTimeoutMs: OTLP_WRITE_TIMEOUT_MS,
  };
  // Browsers may send traces and logs (never proxied calls: those carry a provider key).
  const cors = corsPolicy(config.CORS_ALLOWED_ORIGINS);
  const openai: ProviderRoute = { provider: "openai", mountPrefix: "", upstreamBaseUrl: config.OPENAI_UPSTREAM_URL };
  const anthropic: ProviderRoute = { provider: "anthropic", mountPrefix: "/anthropic", upstreamBaseUrl: config.ANTHROPIC_UPSTREAM_URL };

  return {
    handle(req, res) {
      const url = req.url ?? "/";
      if (!isIngestPath(url)) return false;
      res.socket?.setNoDelay(true);
      const path = url.split("?")[0]!;
      const customLogProvider = CUSTOM_LOG_ROUTES.get(path);
      if (customLogProvider !== undefined) {
        if (!cors.apply(req, res)) void handleCustomLog(req, res, customLogDeps, customLogProvider);
      } else if (OTLP_TRACES_PATHS.has(path)) {
        if (!cors.apply(req, res)) void handleOtlpTraces(req, res, otlpDeps);
      } else {
        void handleProxyRequest(req, res, url.startsWith("/anthropic/") ? anthropic : openai, proxyDeps);
      }
      return true;
    },
    writer,
    otlp: otlpDeps,
    async close() {
      await writer.flush();
      await dispatcher.close();
    },
  };
}
