/**
 * Header hygiene shared by every ingest path: what may be forwarded upstream, what may be sent
 * back, and what may be stored.
 */

// Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection, never the next one.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "proxy-authorization",
  "proxy-authenticate",
]);

// Credentials for the provider or for us: forwarded where needed, never stored.
const SECRET_HEADERS = new Set([
  "authorization",
  "x-api-key",
  "api-key",
  "cookie",
  "set-cookie",
  "helicone-auth",
  "proxy-authorization",
  "openai-organization",
  "openai-project",
]);

export const REDACTED = "[redacted]";

/** Headers for the upstream call: the caller's own, minus ours (Helicone-*), hop-by-hop and host. */
export function forwardableRequestHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (HOP_BY_HOP.has(name) || name === "host" || name === "content-length" || name.startsWith("helicone-")) continue;
    out[name] = value;
  }
  return out;
}

/** Upstream response headers for the client: all but hop-by-hop ones. */
export function forwardableResponseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  return out;
}

// Names that say "credential" in the ways providers and gateways spell it: x-goog-api-key,
// x-auth-token, ocp-apim-subscription-key, x-amz-security-token, x-client-secret, x-custom-auth…
const SECRET_NAME = /(^|[-_])(api[-_]?key|key|secret|token|password|passwd|credentials?|auth|authorization|cookie|signature)($|[-_])/;
// Values that are credentials whatever header carries them: an HTTP auth scheme with its
// credentials, or an OpenAI/Anthropic/Tracewell-style secret key.
const SECRET_VALUE = /^\s*(bearer|basic|digest|token)\s+\S|\bsk-[\w-]{8,}/i;

/** Headers as they may be stored: credentials replaced by a marker, lists joined. */
export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out = new Map<string, string>();
  for (const [rawName, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const name = rawName.toLowerCase();
    const text = Array.isArray(value) ? value.join(", ") : String(value);
    out.set(name, isSecretHeader(name, text) ? REDACTED : text);
  }
  // fromEntries defines own properties: a header named `__proto__` is kept as data.
  return Object.fromEntries(out);
}

export function isSecretHeader(name: string, value: string): boolean {
  return SECRET_HEADERS.has(name) || SECRET_NAME.test(name) || SECRET_VALUE.test(value);
}
