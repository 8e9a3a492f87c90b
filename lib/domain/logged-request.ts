/**
 * The one normalized record every wire format (OpenAI proxy, Anthropic proxy, custom log,
 * OTLP span) becomes. Storage saves exactly this; the tree and metrics read a subset of it.
 */
export type RequestSource = "proxy" | "custom" | "otel";

export interface TokenUsage {
  promptTokens: number | null;
  completionTokens: number | null;
  cachedTokens: number | null;
  totalTokens: number | null;
  /** true when counted with a tokenizer because the provider reported no usage */
  estimated: boolean;
}

export interface LoggedRequest {
  id: string;
  organizationId: string;
  source: RequestSource;
  provider: string;
  model: string | null;
  method: string;
  path: string;
  /** status the client saw; 0 when no response came at all */
  status: number;
  errorReason: string | null;
  cancelled: boolean;
  startTime: Date;
  endTime: Date;
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  stream: boolean;
  promptTokens: number | null;
  completionTokens: number | null;
  cachedTokens: number | null;
  totalTokens: number | null;
  tokensEstimated: boolean;
  /** null when unknown (then costUnknown is true), never a silent 0 */
  costUsd: number | null;
  costUnknown: boolean;
  traceId: string | null;
  nodeId: string | null;
  parentNodeId: string | null;
  traceError: string | null;
  sessionId: string | null;
  sessionName: string | null;
  userId: string | null;
  /** Helicone-Property-* values; keys lower-cased (header names are case-insensitive) */
  properties: Record<string, string>;
  requestBody: string | null;
  responseBody: string | null;
  /** secrets redacted */
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string>;
}
