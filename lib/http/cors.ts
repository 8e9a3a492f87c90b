import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * CORS for the endpoints a browser may send to (OTLP traces and custom logs): only the origins an
 * operator lists, each answered by name, never `*`. The API key travels in the Authorization
 * header, not in cookies, so no response allows credentials.
 */
export interface CorsPolicy {
  /**
   * Adds the CORS headers a response to this request needs, and answers a preflight itself.
   * Returns true when the request was a preflight (and is now answered).
   */
  apply(req: IncomingMessage, res: ServerResponse): boolean;
}

/** What a browser's exporter or fetch may set; `helicone-*` carries node ids, sessions and properties. */
const ALLOWED_HEADERS = ["authorization", "content-type", "content-encoding"];
const ALLOWED_HEADER_PREFIX = "helicone-";
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** @param allowedOrigins scheme://host[:port], lower-case, as config() gives them */
export function corsPolicy(allowedOrigins: readonly string[]): CorsPolicy {
  const origins = new Set(allowedOrigins);
  return {
    apply(req, res) {
      const origin = req.headers.origin;
      const allowed = origin !== undefined && origins.has(origin.toLowerCase());
      const isPreflight = req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
      // Caches must keep one answer per origin: a listed origin's headers must not reach another.
      if (origins.size > 0) res.setHeader("vary", "Origin");
      if (!isPreflight) {
        if (allowed) {
          res.setHeader("access-control-allow-origin", origin!);
          res.setHeader("access-control-expose-headers", "retry-after");
        }
        return false;
      }
      answerPreflight(req, res, allowed ? origin! : null, origins.size > 0);
      return true;
    },
  };
}

function answerPreflight(req: IncomingMessage, res: ServerResponse, origin: string | null, configured: boolean): void {
  const method = String(req.headers["access-control-request-method"]).toUpperCase();
  const requested = String(req.headers["access-control-request-headers"] ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
  const refusedHeader = requested.find((name) => !ALLOWED_HEADERS.includes(name) && !name.startsWith(ALLOWED_HEADER_PREFIX));
  let problem: string | null = null;
  if (origin === null) {
    problem = configured
      ? `Origin ${req.headers.origin ?? "(none)"} is not in CORS_ALLOWED_ORIGINS.`
      : "Cross-origin requests are off: list the browser's origin in CORS_ALLOWED_ORIGINS.";
  } else if (method !== "POST") {
    problem = `Only POST is allowed cross-origin, not ${method}.`;
  } else if (refusedHeader !== undefined) {
    problem = `Header ${refusedHeader} is not allowed cross-origin (allowed: ${ALLOWED_HEADERS.join(", ")}, helicone-*).`;
  }
  if (problem !== null) {
    // No CORS headers: the browser refuses the call and shows this text in its network panel.
    const body = JSON.stringify({ error: { code: "cors_not_allowed", message: problem } });
    res.writeHead(403, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  res.writeHead(204, {
    "access-control-allow-origin": origin!,
    "access-control-allow-methods": "POST",
    "access-control-allow-headers": [...new Set([...ALLOWED_HEADERS, ...requested])].join(", "),
    "access-control-max-age": String(PREFLIGHT_MAX_AGE_SECONDS),
    vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
  });
  res.end();
}
