import type { IncomingMessage, ServerResponse } from "node:http";
import { Agent } from "undici";
import { authenticateApiKey } from "../auth/api-keys";
import type { Config } from "../shared/config";
import { handleCustomLog, type CustomLogDependencies } from "./custom-log-handler";
import { createLogWriter } from "./writer/create-log-writer";
import type { LogWriter } from "./writer/log-writer";
import { handleOtlpTraces, type OtlpDependencies } from "./otlp/otlp-handler";
import { parseUpstreamAllowlist } from "./proxy/upstream-target";
import { handleProxyRequest, type ProviderRoute, type ProxyDependencies } from "./proxy/proxy-handler";

const CUSTOM_LOG_PATH = "/v1/trace/custom/log";
const OTLP_TRACES_PATH = "/v1/traces";
// An OTLP export answers 200 only once stored; past this wait the exporter is told to retry (503).
const OTLP_WRITE_TIMEOUT_MS = 10_000;
// A custom log answers 200 only once stored; past this wait the caller is told to retry.
const CUSTOM_LOG_WRITE_TIMEOUT_MS = 10_000;

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
  const writer = createLogWriter(config);
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
