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
import { assembleOpenAiStream } from "./openai-stream";
import { parseStreamEvents } from "./sse";
import { countChatPromptTokens, countTextTokens, type FunctionDefinition, type PromptMessage } from "./token-estimate";

/**
 * Reads one exchange in the OpenAI wire format (chat completions, legacy completions, embeddings,
 * Responses API; streamed or not) into model, usage and the body worth storing. Never throws:
 * an empty, invalid or cut-off body yields whatever could be read. When the provider reported no
 * usage for a generation (a stream without `stream_options.include_usage`, a stream cut off
 * before its usage chunk) tokens are counted locally and marked estimated.
 */
export function readOpenAiExchange(input: ProviderExchangeInput): ProviderExchange {
  const request = readJsonObject(input.requestBody);
  const requestModel = stringField(request, "model");

  if (typeof input.responseBody === "string" && isEventStream(input)) {
    const response = assembleOpenAiStream(parseStreamEvents(input.responseBody));
    if (!response) return { model: requestModel, stream: true, storedResponseBody: bodyText(input.responseBody), usage: NO_USAGE };
    const model = stringField(response, "model") ?? requestModel;
    const storedResponseBody = jsonText(response) ?? bodyText(input.responseBody);
    return { model, stream: true, storedResponseBody, usage: usageOf(response, request, model) };
  }

  const response = readJsonObject(input.responseBody);
  const model = stringField(response, "model") ?? requestModel;
  return { model, stream: false, storedResponseBody: bodyText(input.responseBody), usage: usageOf(response, request, model) };
}

function usageOf(response: JsonObject | null, request: JsonObject | null, model: string | null): ExchangeUsage {
  const reported = readReportedUsage(response?.usage);
  if (reported) return reported;
  const completion = completionText(response);
  // No generation (an error body, GET /v1/models) means nothing was billed: nothing to estimate.
  if (completion === null) return NO_USAGE;
  const promptTokens = promptTokensOf(request, model);
  const completionTokens = countTextTokens(completion, model);
  return {
    promptTokens,
    completionTokens,
    cachedTokens: null,
    totalTokens: sumKnown(promptTokens, completionTokens),
    cacheWriteTokens: null,
    estimated: true,
  };
}

/** Chat, completions and embeddings say prompt/completion; the Responses API says input/output. */
function readReportedUsage(usage: unknown): ExchangeUsage | null {
  if (!isJsonObject(usage)) return null;
  const promptTokens = numberField(usage, "prompt_tokens") ?? numberField(usage, "input_tokens");
  const completionTokens = numberField(usage, "completion_tokens") ?? numberField(usage, "output_tokens");
  const details = usage.prompt_tokens_details ?? usage.input_tokens_details;
  const totalTokens = numberField(usage, "total_tokens") ?? sumKnown(promptTokens, completionTokens);
  if (promptTokens === null && completionTokens === null && totalTokens === null) return null;
  return {
    promptTokens,
    completionTokens,
    cachedTokens: numberField(details, "cached_tokens"),
    totalTokens,
    cacheWriteTokens: null,
    estimated: false,
  };
}

/** Everything the model wrote, for counting; null when the body holds no generation at all. */
function completionText(response: JsonObject | null): string | null {
  if (!response) return null;
  if (Array.isArray(response.choices)) {
    return response.choices
      .map((choice) => {
        if (!isJsonObject(choice)) return "";
        if (typeof choice.text === "string") return choice.text;
        const message = choice.message;
        const content = contentText(isJsonObject(message) ? message.content : null);
        return content + (stringField(message, "refusal") ?? "") + toolCallsText(message);
      })
      .join("");
  }
  if (Array.isArray(response.output)) {
    return response.output
      .map((item) => {
        if (stringField(item, "type") === "function_call") return callText(item);
        return contentText(isJsonObject(item) ? item.content : null);
      })
      .join("");
  }
  return null;
}

/** Message content is a string or an array of typed parts; only text parts can be counted. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => stringField(part, "text") ?? stringField(part, "refusal") ?? "").join("");
}

function promptTokensOf(request: JsonObject | null, model: string | null): number | null {
  if (!request) return null;
  if (Array.isArray(request.messages)) {
    return countChatPromptTokens(request.messages.map(toPromptMessage), model, functionDefinitions(request));
  }
  if (request.prompt !== undefined) return countCompletionPrompt(request.prompt, model);
  if (request.input !== undefined || request.instructions !== undefined) {
    return countChatPromptTokens(responsesInputMessages(request), model, functionDefinitions(request));
  }
  return null;
}

function toPromptMessage(message: unknown): PromptMessage {
  const name = stringField(message, "name");
  return {
    role: stringField(message, "role") ?? "user",
    content: contentText(isJsonObject(message) ? message.content : null) + toolCallsText(message),
    ...(name ? { name } : {}),
  };
}

/** A tool call bills as its name and argument text. */
function toolCallsText(message: unknown): string {
  return arrayField(message, "tool_calls")
    .map((call) => callText(isJsonObject(call) ? call.function : null))
    .join("");
}

function callText(fn: unknown): string {
  return (stringField(fn, "name") ?? "") + (stringField(fn, "arguments") ?? "");
}

/** Legacy completions take a string, strings, or pre-tokenized arrays (one token per number). */
function countCompletionPrompt(prompt: unknown, model: string | null): number {
  const parts = Array.isArray(prompt) && !prompt.every((item) => typeof item === "number") ? prompt : [prompt];
  return parts.reduce<number>((total, part) => {
    if (typeof part === "string") return total + countTextTokens(part, model);
    if (Array.isArray(part)) return total + part.length;
    return total;
  }, 0);
}

/** The Responses API's instructions act as a system message; input is a string or a list of items. */
function responsesInputMessages(request: JsonObject): PromptMessage[] {
  const messages: PromptMessage[] = [];
  const instructions = stringField(request, "instructions");
  if (instructions) messages.push({ role: "system", content: instructions });
  if (typeof request.input === "string") messages.push({ role: "user", content: request.input });
  for (const item of arrayField(request, "input")) {
    const type = stringField(item, "type");
    if (type === "function_call") {
      messages.push({ role: "assistant", content: callText(item) });
    } else if (type === "function_call_output") {
      messages.push({ role: "tool", content: stringField(item, "output") ?? "" });
    } else {
      messages.push(toPromptMessage(item));
    }
  }
  return messages;
}

/** `tools` (chat and Responses API shapes) and legacy `functions` all bill as function definitions. */
function functionDefinitions(request: JsonObject): FunctionDefinition[] {
  const tools = [...arrayField(request, "tools"), ...arrayField(request, "functions")];
  return tools.flatMap((tool) => {
    const fn = isJsonObject(tool) && isJsonObject(tool.function) ? tool.function : tool;
    const name = stringField(fn, "name");
    if (!name || !isJsonObject(fn)) return [];
    return [{ ...fn, name } as FunctionDefinition];
  });
}
