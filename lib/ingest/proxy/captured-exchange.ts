import type { IncomingHttpHeaders } from "node:http";
import type { ProviderName } from "../provider-errors";

/** What the proxy saw of one call, raw; normalized into a LoggedRequest off the request path. */
export interface CapturedExchange {
  id: string;
  organizationId: string;
  provider: ProviderName;
  method: string;
  /** path and query as sent upstream (without our mount prefix) */
  path: string;
  /** node's rawHeaders: names in the caller's spelling, for Helicone-Property-* keys */
  rawRequestHeaders: string[];
  requestHeaders: IncomingHttpHeaders;
  requestBody: Buffer;
  /** 0 when no response came */
  status: number;
  responseHeaders: Record<string, string | string[] | undefined>;
  /** as received: possibly compressed (see content-encoding), possibly truncated */
  responseBody: Buffer;
  responseBodyTruncated: boolean;
  startMs: number;
  latencyMs: number;
  timeToFirstByteMs: number | null;
  cancelled: boolean;
  errorReason: string | null;
}
