import type { IncomingMessage, ServerResponse } from "node:http";
import { apiKeyFrom } from "../auth/api-keys";
import { ApiError } from "../shared/api-error";
import { toErrorResponse } from "../http/error-response";
import { customLogToLogInput } from "./custom-log";
import { rawHeaderPairs } from "./helicone-headers";
import type { LogWriter } from "./writer/log-writer";
import { BodyTooLargeError, decodeUtf8Body, readBody } from "./read-body";
import { storedWithin } from "./stored-within";

export interface CustomLogDependencies {
  /** organization of the API key (null: none sent); throws the ApiError to answer (401, 429, 503) */
  authenticate(apiKey: string | null): Promise<string>;
  writer: Pick<LogWriter, "write">;
  maxBodyBytes: number;
  /** how long the log may wait for storage before the caller is told to retry */
  writeTimeoutMs: number;
}

// POST /v1/trace/custom/log (and Helicone's logger paths) – record one request logged by the caller; 200 once stored
// `routeProvider`: what the path implies (/oai/v1/log: "openai"), null when the body must say.
export async function handleCustomLog(
  req: IncomingMessage,
  res: ServerResponse,
  deps: CustomLogDependencies,
  routeProvider: string | null = null,
): Promise<void> {
  try {
    if (req.method !== "POST") throw new ApiError("method_not_allowed", "Use POST to send a custom log.", 405, { allow: "POST" });
    const text = await readBody(req, deps.maxBodyBytes).then(
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
    // Helicone's clients may also put the key in the body's request meta.
    const meta = (body as { providerRequest?: { meta?: Record<string, unknown> } } | null)?.providerRequest?.meta;
    const metaAuth = typeof meta?.["Helicone-Auth"] === "string" ? meta["Helicone-Auth"] : undefined;
    const organizationId = await deps.authenticate(apiKeyFrom(req.headers.authorization, req.headers["helicone-auth"], metaAuth));

    const input = customLogToLogInput(organizationId, body, rawHeaderPairs(req.rawHeaders), Date.now(), routeProvider);
    await storedWithin(deps.writer.write(input), deps.writeTimeoutMs, "log");
    sendJson(res, 200, { id: input.unpriced.id });
  } catch (error) {
    const { status, headers, body } = toErrorResponse(error);
    sendJson(res, status, body, headers);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
