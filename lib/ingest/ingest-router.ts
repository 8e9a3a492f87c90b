import type { IncomingMessage, ServerResponse } from "node:http";
import { Agent } from "undici";
import type { Config } from "../config";
import { ApiError, toErrorResponse } from "../http/api-error";
import { authenticateApiKey } from "./api-key-auth";
import { customLogToLogInput } from "./custom-log";
import { bearerToken, rawHeaderPairs } from "./helicone-headers";
import { createLogWriter } from "./writer/create-log-writer";
import type { LogWriter } from "./writer/log-writer";
import { enforceRateLimit, rateLimitApiKey } from "./rate-limit";
import { BodyTooLargeError, decodeUtf8Body, readBody } from "./read-body";
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
    authenticate: async (key) => {
      const organizationId = await authenticateApiKey(key);
      return organizationId ? { organizationId } : null;
    },
    rateLimit: rateLimitApiKey,
    record: (exchange) => {
      writer.enqueue({ exchange });
    },
    dispatcher,
    upstreamAllowlist: parseUpstreamAllowlist(config.UPSTREAM_ALLOWLIST),
    maxRequestBodyBytes: config.MAX_REQUEST_BODY_BYTES,
    maxLoggedBodyBytes: config.MAX_LOGGED_BODY_BYTES,
  };
  const otlpDeps: OtlpDependencies = {
    authenticate: authenticateApiKey,
    rateLimit: rateLimitApiKey,
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
        void handleCustomLog(req, res, writer, config.MAX_REQUEST_BODY_BYTES);
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

async function handleCustomLog(req: IncomingMessage, res: ServerResponse, writer: LogWriter, maxBytes: number): Promise<void> {
  try {
    if (req.method !== "POST") throw new ApiError("method_not_allowed", "Use POST to send a custom log.", 405, { allow: "POST" });
    const text = await readBody(req, maxBytes).then(
      (buffer) => decodeUtf8Body(buffer),
      (error) => {
        throw error instanceof BodyTooLargeError ? new ApiError("payload_too_large", error.message, 413) : error;
      },
    );
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError("invalid_json", "Body is not valid JSON.", 400);
    }
    const meta = (body as { providerRequest?: { meta?: Record<string, unknown> } } | null)?.providerRequest?.meta;
    const key =
      bearerToken(req.headers.authorization) ??
      bearerToken(req.headers["helicone-auth"] as string | undefined) ??
      bearerToken(typeof meta?.["Helicone-Auth"] === "string" ? meta["Helicone-Auth"] : undefined);
    if (!key) throw new ApiError("unauthorized", 'Send your API key as "Authorization: Bearer <key>".', 401);
    const organizationId = await authenticateApiKey(key);
    if (!organizationId) throw new ApiError("unauthorized", "Invalid or revoked API key.", 401);
    enforceRateLimit(key);

    const input = customLogToLogInput(organizationId, body, rawHeaderPairs(req.rawHeaders), Date.now());
    await withTimeout(writer.write(input), CUSTOM_LOG_WRITE_TIMEOUT_MS);
    sendJson(res, 200, { id: input.unpriced.id });
  } catch (error) {
    const { status, headers, body } = toErrorResponse(error);
    sendJson(res, status, body, headers);
  }
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new ApiError("storage_unavailable", "Storage is not accepting writes right now; retry later.", 503, { "retry-after": "5" })),
      ms,
    );
    promise.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), reject(new ApiError("storage_unavailable", "The log could not be stored; retry later.", 503, { "retry-after": "5" }))),
    );
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
