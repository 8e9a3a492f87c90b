import { readAnthropicExchange } from "./anthropic-response";
import { readJsonObject, type ProviderExchange, type ProviderExchangeInput } from "./exchange";
import { readGoogleExchange } from "./google-response";
import { readOpenAiExchange } from "./openai-response";

export type { ExchangeUsage, ProviderExchange, ProviderExchangeInput } from "./exchange";

/**
 * Reads any provider's exchange. "openai", "anthropic" and "google" pick their reader; any other provider
 * (a custom log from Azure, Groq, a gateway...) is read by the shape of its response, since
 * almost every provider speaks one of the two wire formats.
 */
export function readProviderExchange(provider: string, input: ProviderExchangeInput): ProviderExchange {
  const name = provider.trim().toLowerCase();
  if (name === "anthropic") return readAnthropicExchange(input);
  if (name === "openai") return readOpenAiExchange(input);
  if (name === "google" || name === "gemini") return readGoogleExchange(input);
  return looksLikeAnthropic(input.responseBody) ? readAnthropicExchange(input) : readOpenAiExchange(input);
}

/**
 * Anthropic bodies carry a top-level `type` ("message", or "error" for failures) and its streams
 * open with message_start (as SSE, or as the JSON lines an SDK's stream writes); OpenAI bodies
 * carry `object` or a bare `error`, and OpenAI is the format most others copy, so it is the default.
 */
function looksLikeAnthropic(body: string | object | null): boolean {
  if (typeof body === "string" && /^\s*(event:\s*message_start|(data:\s*)?\{\s*"type"\s*:\s*"message_start")/.test(body)) return true;
  const type = readJsonObject(body)?.type;
  return type === "message" || type === "error";
}
