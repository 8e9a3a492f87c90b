import type { IncomingMessage, ServerResponse } from "node:http";
import { constants } from "node:zlib";
import compression from "compression";

/**
 * Compression of everything Next answers (server.ts calls this before Next's handler;
 * next.config.mjs turns Next's own off). The middleware is `compression`, the one Next bundles;
 * what changes is the level. Next compressed at gzip 6 whatever the body: a 10,000-node trace
 * (8.5 MB of JSON) took ≈ 45 ms. The read API's JSON gets the fast levels (gzip 1, brotli 1:
 * 18 / 16 ms for 8.7 / 8.0 % of the size, against 7.2 %); pages, RSC payloads and static files
 * keep gzip 6 and get brotli 4, where the cost is small and every browser loads fewer bytes.
 *
 * The middleware wraps `res` synchronously and calls `next` at once, so `next` is a no-op here.
 * It negotiates br > gzip > deflate, adds `Vary: Accept-Encoding`, and leaves alone HEAD,
 * `Cache-Control: no-transform`, already encoded bodies, types that don't compress and bodies
 * known to be under 1 KB (as Next). `res.flush()`, which Next calls after each streamed chunk,
 * sends what was compressed so far, so streamed pages still arrive piece by piece.
 */
export function compressResponse(req: IncomingMessage, res: ServerResponse): void {
  const middleware = req.url?.startsWith("/api/v1/") ? bulk : thorough;
  middleware(req, res, proceed);
}

type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

const common = { threshold: 1024, filter: hasBodyToCompress };

const bulk = compression({
  ...common,
  level: 1,
  brotli: { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } },
}) as unknown as Middleware;

const thorough = compression({
  ...common,
  level: 6,
  brotli: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } },
}) as unknown as Middleware;

/**
 * The package's filter (a compressible Content-Type), less the statuses it would wrongly encode:
 * a 206's Content-Range counts bytes of the file as stored, and a 204 or 304 has no body (the
 * package only skips them when it sees the empty body before the headers).
 */
function hasBodyToCompress(req: Parameters<typeof compression.filter>[0], res: Parameters<typeof compression.filter>[1]): boolean {
  if (res.statusCode === 204 || res.statusCode === 206 || res.statusCode === 304) return false;
  return compression.filter(req, res);
}

function proceed(): void {}
