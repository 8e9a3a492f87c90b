import { assembleAnthropicStream } from "./anthropic-stream";
import {
  arrayField,
  bodyText,
  isEventStream,
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
import { countChatPromptTokens, countTextTokens, type PromptMessage } from "./token-estimate";

/**
 * Reads one Anthropic Messages API exchange, streamed or not, into model, usage and the body
 * worth storing (a stream is stored as the Message it assembles to). Never throws. Claude's
 * tokenizer is not public, so when usage is missing (a stream cut off before message_delta, a
 * custom log without usage) the counts are o200k stand-ins, marked estimated.
 */
export function readAnthropicExchange(input: ProviderExchangeInput): ProviderExchange {
  const request = readJsonObject(input.requestBody);
  const requestModel = stringField(request, "model");

  if (typeof input.responseBody === "string" && isEventStream(input)) {
    const assembled = assembleAnthropicStream(parseStreamEvents(input.responseBody));
    if (!assembled) return { model: requestModel, stream: true, storedResponseBody: bodyText(input.responseBody), usage: NO_USAGE };
    const { message, hasFinalUsage } = assembled;
    const reported = readReportedUsage(message.usage);
    // Without message_delta, output_tokens is message_start's placeholder (1 or 2): count instead.
    const usage = !reported ? estimateUsage(request, message) : hasFinalUsage ? reported : withCountedOutput(reported, message);
    const storedResponseBody = jsonText(message) ?? bodyText(input.responseBody);
    return { model: stringField(message, "model") ?? requestModel, stream: true, storedResponseBody, usage };
  }

  const message = readJsonObject(input.responseBody);
  const reported = readReportedUsage(message?.usage);
  // An error body ({"type":"error"}) holds no generation: nothing was billed, nothing to estimate.
  const usage = reported ?? (message?.type === "message" ? estimateUsage(request, message) : NO_USAGE);
  return { model: stringField(message, "model") ?? requestModel, stream: false, storedResponseBody: bodyText(input.responseBody), usage };
}

/**
 * Anthropic's input_tokens counts only the prompt after the last cache breakpoint; cache reads
 * and cache writes are reported beside it. promptTokens adds all three so it means every prompt
 * token, as it does for OpenAI, with the cached share in cachedTokens.
 */
function readReportedUsage(usage: unknown): ExchangeUsage | null {
  if (!isJsonObject(usage)) return null;
  const uncached = numberField(usage, "input_tokens");
  const cacheRead = numberField(usage, "cache_read_input_tokens");
  const cacheWrite = numberField(usage, "cache_creation_input_tokens");
  const completionTokens = numberField(usage, "output_tokens");
  const promptTokens = sumKnown(uncached, cacheRead, cacheWrite);
  if (promptTokens === null && completionTokens === null) return null;
  return {
    promptTokens,
    completionTokens,
    cachedTokens: cacheRead,
    totalTokens: sumKnown(promptTokens, completionTokens),
    cacheWriteTokens: cacheWrite,
    estimated: false,
  };
}

function estimateUsage(request: JsonObject | null, message: JsonObject): ExchangeUsage {
  const promptTokens = request ? countChatPromptTokens(promptMessages(request), null) : null;
  return withCountedOutput({ ...NO_USAGE, promptTokens }, message);
}

function withCountedOutput(usage: ExchangeUsage, message: JsonObject): ExchangeUsage {
  const completionTokens = countTextTokens(blocksText(message.content), null);
  return { ...usage, completionTokens, totalTokens: sumKnown(usage.promptTokens, completionTokens), estimated: true };
}

function promptMessages(request: JsonObject): PromptMessage[] {
  const system = blocksText(request.system);
  const messages = arrayField(request, "messages").map((message) => ({
    role: stringField(message, "role") ?? "user",
    content: blocksText(isJsonObject(message) ? message.content : null),
  }));
  return system ? [{ role: "system", content: system }, ...messages] : messages;
}

// tool_result blocks nest content; real ones go one or two levels deep. A hostile body nesting
// thousands would overflow the stack and lose the log, so text below this depth is not counted.
const MAX_BLOCK_NESTING = 32;

/** Content is a string or blocks: text, thinking, tool_use (input counted as JSON), tool_result (nested content). */
function blocksText(content: unknown, depth = 0): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content) || depth >= MAX_BLOCK_NESTING) return "";
  return content
    .map((block) => {
      if (!isJsonObject(block)) return "";
      if (block.type === "tool_use" || block.type === "server_tool_use") {
        return (stringField(block, "name") ?? "") + (typeof block.input === "string" ? block.input : (jsonText(block.input ?? {}) ?? ""));
      }
      if (block.type === "tool_result") return blocksText(block.content, depth + 1);
      return stringField(block, "text") ?? stringField(block, "thinking") ?? "";
    })
    .join("");
}
