import {
  arrayField,
  bodyText,
  isJsonObject,
  jsonText,
  NO_USAGE,
  numberField,
  readJsonObject,
  stringField,
  sumKnown,
  type ExchangeUsage,
  type JsonObject,
  type ProviderExchange,
  type ProviderExchangeInput,
} from "./exchange";
import { parseStreamEvents } from "./sse";

/**
 * Reads one Gemini exchange (`generateContent`, or `streamGenerateContent` as SSE or JSON lines),
 * as Helicone's logger sends it to `/googleapis/v1/log`. Gemini reports usage in `usageMetadata`
 * (`promptTokenCount` includes cached tokens; thinking tokens are billed as output) and names the
 * exact model in `modelVersion`; the request names it only in its URL
 * (`…/models/gemini-2.0-flash:generateContent`). A stream is stored as one response: its text
 * parts joined, its last usage and finish reason. Never throws.
 */
export function readGoogleExchange(input: ProviderExchangeInput): ProviderExchange {
  const pathModel = /\/models\/([^/:?]+)/.exec(input.path)?.[1] ?? null;
  const requestModel = stringField(readJsonObject(input.requestBody), "model")?.replace(/^models\//, "") ?? pathModel;

  const single = readJsonObject(input.responseBody);
  const chunks = single ? [single] : streamChunks(input.responseBody);
  const stream = !single && chunks.length > 0;
  const response = stream ? assembleGoogleStream(chunks) : single;
  const model = stringField(response, "modelVersion") ?? requestModel;
  const storedResponseBody = stream ? jsonText(response) : bodyText(input.responseBody);
  return { model, stream, storedResponseBody, usage: usageOf(response) };
}

/** A stream as SSE (`alt=sse`), JSON lines, or the JSON array Gemini's REST stream sends by default. */
function streamChunks(body: string | object | null): JsonObject[] {
  let parsed: unknown = body;
  if (typeof body === "string") {
    if (!body.trimStart().startsWith("[")) return parseStreamEvents(body).map((event) => event.data);
    try {
      parsed = JSON.parse(body);
    } catch {
      return [];
    }
  }
  return Array.isArray(parsed) ? parsed.filter(isJsonObject) : [];
}

function usageOf(response: JsonObject | null): ExchangeUsage {
  const usage = response?.usageMetadata;
  if (!isJsonObject(usage)) return NO_USAGE;
  const promptTokens = numberField(usage, "promptTokenCount");
  const candidates = numberField(usage, "candidatesTokenCount");
  const thoughts = numberField(usage, "thoughtsTokenCount");
  const completionTokens = candidates === null && thoughts === null ? null : (candidates ?? 0) + (thoughts ?? 0);
  return {
    promptTokens,
    completionTokens,
    cachedTokens: numberField(usage, "cachedContentTokenCount"),
    totalTokens: numberField(usage, "totalTokenCount") ?? sumKnown(promptTokens, completionTokens),
    cacheWriteTokens: null,
    estimated: false,
  };
}

/** The chunks of a stream as the one response Gemini would have sent without streaming. */
function assembleGoogleStream(chunks: JsonObject[]): JsonObject {
  const last = chunks[chunks.length - 1]!;
  const parts: string[] = [];
  let finishReason: string | null = null;
  let role = "model";
  for (const chunk of chunks) {
    const candidate = arrayField(chunk, "candidates")[0];
    if (!isJsonObject(candidate)) continue;
    finishReason = stringField(candidate, "finishReason") ?? finishReason;
    const content = candidate.content;
    if (!isJsonObject(content)) continue;
    role = stringField(content, "role") ?? role;
    for (const part of arrayField(content, "parts")) {
      const partText = stringField(part, "text");
      if (partText !== null) parts.push(partText);
    }
  }
  const usageMetadata = [...chunks].reverse().find((chunk) => isJsonObject(chunk.usageMetadata))?.usageMetadata;
  return {
    candidates: [{ content: { role, parts: [{ text: parts.join("") }] }, ...(finishReason ? { finishReason } : {}), index: 0 }],
    ...(usageMetadata ? { usageMetadata } : {}),
    ...(stringField(last, "modelVersion") ? { modelVersion: stringField(last, "modelVersion") } : {}),
  };
}
