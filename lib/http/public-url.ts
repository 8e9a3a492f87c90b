import { config } from "../shared/config";

/**
 * The absolute URL of `path` (starting with /) as people reach this app: PUBLIC_URL when set,
 * else the address the request came to (through a reverse proxy: the X-Forwarded-Host and
 * -Proto it sets). The request's own headers only ever shape a link handed back to its sender.
 */
export function publicUrl(request: Request, path: string): string {
  const base = config().PUBLIC_URL;
  if (base) return base + path;
  const url = new URL(request.url);
  const host = firstValue(request.headers.get("x-forwarded-host")) ?? request.headers.get("host") ?? url.host;
  const proto = firstValue(request.headers.get("x-forwarded-proto")) ?? url.protocol.replace(/:$/, "");
  return `${proto === "https" ? "https" : "http"}://${host}${path}`;
}

/** A proxy chain appends: `a, b` → `a` (the client-facing one). */
function firstValue(header: string | null): string | null {
  const first = header?.split(",")[0]?.trim();
  return first || null;
}
