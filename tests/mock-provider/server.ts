/**
 * A mock of the OpenAI and Anthropic HTTP APIs for tests, benchmarks and the demo: the same wire
 * formats, deterministic answers, and knobs (startup options, or x-mock-* headers per request)
 * for latency, chunk spacing, answer length, errors and dropped connections.
 *
 * Built to be a load-test upstream: plain node:http, no logging, one write per response unless
 * chunks are spaced, and only an O(1) ring of recent requests kept for GET /__mock/requests.
 */
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { anthropicProvider } from "./anthropic";
import { openaiProvider } from "./openai";
import { type ProviderApi, requestId } from "./provider";
import { type Delivery, type Reply, writeReply } from "./reply";
import { type RecordedRequest, RequestLog } from "./request-log";
import {
  type MockProviderConfig,
  type MockProviderOptions,
  type Scenario,
  ScenarioHeaderError,
  mockProviderOptionsSchema,
  resolveScenario,
} from "./scenario";

export type { MockProviderOptions } from "./scenario";
export type { RecordedRequest } from "./request-log";

export interface MockProvider {
  /** `http://127.0.0.1:<port>`: OpenAI clients take `${url}/v1` as baseURL, Anthropic clients `url`. */
  url: string;
  port: number;
  /** Requests seen (oldest first), the same list GET /__mock/requests returns. */
  requests(): RecordedRequest[];
  clearRequests(): void;
  /** Stops listening, cuts open connections and pending delays; resolves once the port is free. */
  close(): Promise<void>;
}

interface ServerState {
  config: MockProviderConfig;
  log: RequestLog;
  /** Aborted by close(), so no latency or chunk delay keeps the process alive after it. */
  closing: AbortSignal;
  sequence: number;
}

export async function startMockProvider(options: MockProviderOptions = {}): Promise<MockProvider> {
  const config = mockProviderOptionsSchema.parse(options);
  const closing = new AbortController();
  const state: ServerState = { config, log: new RequestLog(config.maxRecordedRequests), closing: closing.signal, sequence: 0 };

  const server = createServer((req, res) => {
    serve(req, res, state).catch((error: unknown) => failUnexpectedly(res, error, state.closing));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: () => state.log.list(),
    clearRequests: () => state.log.clear(),
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, state: ServerState): Promise<void> {
  const method = req.method ?? "GET";
  const path = req.url ?? "/";
  const pathname = path.split("?", 1)[0] ?? path;
  if (pathname.startsWith("/__mock/")) return serveControl(method, pathname, res, state.log);

  const sequence = ++state.sequence;
  const raw = await readBody(req);
  const body = parseJson(raw);
  state.log.add({ method, path, headers: req.headers, body: body.ok ? body.value : raw });

  // The app forwards /anthropic/v1/messages upstream as /v1/messages; everything else is OpenAI.
  const provider: ProviderApi = pathname.startsWith("/v1/messages") ? anthropicProvider : openaiProvider;
  const respond = (reply: Reply, delivery: Delivery): Promise<void> => {
    reply.headers[provider.requestIdHeader] = requestId(sequence);
    return writeReply(res, reply, delivery, state.closing);
  };

  let scenario: Scenario;
  try {
    scenario = resolveScenario(state.config, req.headers);
  } catch (error) {
    if (!(error instanceof ScenarioHeaderError)) throw error;
    return respond(provider.error(400, sequence, `mock-provider: ${error.message}`), { chunkDelayMs: 0, dropConnection: null });
  }

  if (scenario.latencyMs > 0) await sleep(scenario.latencyMs, undefined, { signal: state.closing });
  if (res.destroyed) return;
  if (scenario.dropConnection === "before-headers") {
    res.destroy();
    return;
  }

  const reply =
    provider.rejectMissingCredentials(req.headers, sequence) ??
    (scenario.errorStatus !== null ? provider.error(scenario.errorStatus, sequence) : null) ??
    (body.ok
      ? provider.handle(method, pathname, body.value, {
          sequence,
          nowSeconds: Math.floor(Date.now() / 1000),
          completionTokens: scenario.completionTokens,
          cachedTokens: scenario.cachedTokens,
        })
      : provider.error(400, sequence, "The request body is not valid JSON."));
  return respond(reply, { chunkDelayMs: scenario.chunkDelayMs, dropConnection: scenario.dropConnection });
}

function serveControl(method: string, pathname: string, res: ServerResponse, log: RequestLog): void {
  // GET /__mock/health – liveness, for scripts waiting on the mock
  if (method === "GET" && pathname === "/__mock/health") return sendJson(res, 200, { status: "ok" });
  // GET /__mock/requests – what the upstream received, oldest first
  if (method === "GET" && pathname === "/__mock/requests") return sendJson(res, 200, { requests: log.list() });
  // DELETE /__mock/requests – forget them, e.g. between tests
  if (method === "DELETE" && pathname === "/__mock/requests") {
    log.clear();
    res.writeHead(204).end();
    return;
  }
  sendJson(res, 404, { error: { message: `Unknown mock control route ${method} ${pathname}` } });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** An empty body parses as null, so GET requests and bodiless POSTs reach the handlers' own 400s. */
function parseJson(raw: string): { ok: true; value: unknown } | { ok: false } {
  if (raw === "") return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
}

/** A bug in the mock surfaces as a 500 naming it, rather than as a hung or reset request. */
function failUnexpectedly(res: ServerResponse, error: unknown, closing: AbortSignal): void {
  if (closing.aborted || res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, 500, { error: { message: `mock-provider failed: ${String(error)}`, type: "server_error", param: null, code: null } });
}
