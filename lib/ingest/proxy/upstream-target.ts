/**
 * Where a proxied call goes. By default the provider's upstream from the server's configuration;
 * a client may ask for another one with `Helicone-Target-Url` (an OpenAI-compatible gateway, say),
 * but only for an origin the operator listed in UPSTREAM_ALLOWLIST: anything else would let any
 * holder of an API key make this server call arbitrary hosts (SSRF), internal ones included.
 */
export type UpstreamChoice = { baseUrl: string } | { error: string };

/** Parses UPSTREAM_ALLOWLIST (comma-separated http(s) origins); throws naming the bad entry. */
export function parseUpstreamAllowlist(value: string | undefined): ReadonlySet<string> {
  const origins = new Set<string>();
  for (const entry of (value ?? "").split(",").map((part) => part.trim()).filter(Boolean)) {
    const url = safeUrl(entry);
    if (!url || !isHttp(url) || url.username || url.password) {
      throw new Error(`UPSTREAM_ALLOWLIST: "${entry}" is not an http(s) origin such as https://api.example.com`);
    }
    origins.add(url.origin);
  }
  return origins;
}

export function chooseUpstream(configuredBaseUrl: string, targetHeader: string | undefined, allowlist: ReadonlySet<string>): UpstreamChoice {
  if (targetHeader === undefined || targetHeader.trim() === "") return { baseUrl: configuredBaseUrl };
  const url = safeUrl(targetHeader.trim());
  if (!url || !isHttp(url)) return { error: "Helicone-Target-Url must be an absolute http(s) URL." };
  if (url.username || url.password) return { error: "Helicone-Target-Url must not carry credentials." };
  if (url.search || url.hash) return { error: "Helicone-Target-Url must be a base URL without a query or fragment." };
  if (!allowlist.has(url.origin)) {
    return { error: `Helicone-Target-Url ${url.origin} is not an allowed upstream on this server (UPSTREAM_ALLOWLIST).` };
  }
  return { baseUrl: url.origin + url.pathname.replace(/\/+$/, "") };
}

function safeUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

function isHttp(url: URL): boolean {
  return url.protocol === "http:" || url.protocol === "https:";
}
