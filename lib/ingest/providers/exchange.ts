import type { TokenUsage } from "../../domain/logged-request";

/**
 * What every provider reader takes and returns. Bodies arrive as the proxy captured them (raw,
 * possibly empty, invalid or cut off) or, from the custom-log endpoint, already parsed.
 */
export interface ProviderExchangeInput {
  /** path and query as sent upstream; informational, the bodies decide how they are read */
  path: string;
  requestBody: string | object | null;
  responseBody: string | object | null;
  responseContentType: string | null;
}

/**
 * TokenUsage plus the one count pricing needs that the stored record has no column for:
 * Anthropic bills cache writes at 1.25x the input rate, so priceUsage must see them apart.
 */
export interface ExchangeUsage extends TokenUsage {
  cacheWriteTokens: number | null;
}

export interface ProviderExchange {
  model: string | null;
  /** the response came as server-sent events */
  stream: boolean;
  /** a stream reassembled into the provider's non-stream JSON; otherwise the body as text */
  storedResponseBody: string | null;
  usage: ExchangeUsage;
}

export type JsonObject = Record<string, unknown>;

export const NO_USAGE: ExchangeUsage = {
  promptTokens: null,
  completionTokens: null,
  cachedTokens: null,
  totalTokens: null,
  cacheWriteTokens: null,
  estimated: false,
};

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The body as an object, or null when it is empty, not JSON, or JSON but not an object. */
export function readJsonObject(body: string | object | null): JsonObject | null {
  if (typeof body !== "string") return isJsonObject(body) ? body : null;
  try {
    const parsed: unknown = JSON.parse(body);
    return isJsonObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

export function bodyText(body: string | object | null): string | null {
  if (body === null) return null;
  if (typeof body !== "string") return jsonText(body);
  return body.length > 0 ? body : null;
}

/**
 * JSON.stringify that cannot throw: null for a value nested too deeply for the stack (JSON.parse
 * accepts any depth, so a proxied body can be), or one that holds a BigInt or a cycle. The
 * readers promise never to throw, since a throw would lose the call's log.
 */
export function jsonText(value: unknown): string | null {
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    return null;
  }
}

/**
 * Trusts the content type, but also sniffs the body: a custom log may carry a raw stream without
 * headers, as server-sent events or as JSON lines (see parseStreamEvents).
 */
export function isEventStream(input: ProviderExchangeInput): boolean {
  if (/text\/event-stream|ndjson|jsonl/.test(input.responseContentType?.toLowerCase() ?? "")) return true;
  if (typeof input.responseBody !== "string") return false;
  return /^\s*(data|event):/.test(input.responseBody) || isJsonLines(input.responseBody);
}

/**
 * A first line that is a JSON object by itself, followed by a line that opens another, or by
 * nothing but a line end when that object is a stream event (a stream cancelled after its first
 * chunk). One JSON body, compact or pretty-printed, never looks so. The cheap tests come first,
 * as every proxied body passes here.
 */
function isJsonLines(body: string): boolean {
  const firstLineEnd = body.indexOf("\n");
  if (firstLineEnd === -1) return false;
  const next = body.slice(firstLineEnd + 1, firstLineEnd + 64).trimStart();
  if (next !== "" && !next.startsWith("{")) return false;
  const first = readJsonObject(body.slice(0, firstLineEnd));
  return first !== null && (next !== "" || isStreamEvent(first));
}

/** An OpenAI chat chunk, an Anthropic stream event or a Responses API event: never a whole answer. */
function isStreamEvent(data: JsonObject): boolean {
  if (data.object === "chat.completion.chunk") return true;
  const type = stringField(data, "type");
  return type !== null && /^(message_start|message_delta|message_stop|content_block_|ping$|response\.)/.test(type);
}

export function stringField(source: unknown, key: string): string | null {
  if (!isJsonObject(source)) return null;
  const value = source[key];
  return typeof value === "string" ? value : null;
}

export function numberField(source: unknown, key: string): number | null {
  if (!isJsonObject(source)) return null;
  const value = source[key];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

export function arrayField(source: unknown, key: string): unknown[] {
  if (!isJsonObject(source)) return [];
  const value = source[key];
  return Array.isArray(value) ? value : [];
}

export function sumKnown(...counts: (number | null)[]): number | null {
  const known = counts.filter((count): count is number => count !== null);
  return known.length > 0 ? known.reduce((sum, count) => sum + count, 0) : null;
}
