import { countTokens as countCl100k } from "gpt-tokenizer/encoding/cl100k_base";
import { countTokens as countO200k } from "gpt-tokenizer/encoding/o200k_base";
import {
  computeChatCompletionTokenCount,
  type ChatCompletionFunctionDefinition as FunctionDefinition,
  type ChatMessage,
} from "gpt-tokenizer/functionCalling";
import { modelToEncodingMap, type EncodingName } from "gpt-tokenizer/mapping";
import { jsonText } from "./exchange";

/**
 * Token counts for calls whose provider reported no usage (a stream without its usage chunk, a
 * cut-off stream). Only the two encodings current models use are loaded, once, at import
 * (~0.2 s, ~35 MB); a count then costs well under a millisecond per thousand tokens.
 */

/** Text in a prompt is data: "<|endoftext|>" typed by a user counts as text, it must not throw. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

const encodingByModel: Readonly<Record<string, EncodingName | undefined>> = modelToEncodingMap;

/**
 * gpt-tokenizer lists only models that do not use its default o200k encoding. Unknown names
 * (dated or fine-tuned variants like "ft:gpt-4-0613:acme::x1") are looked up by ever shorter
 * prefixes; whatever stays unknown is a newer model, hence o200k. Retired p50k/r50k models count
 * with o200k too rather than loading two more tables for them.
 */
function counterFor(model: string | null): (text: string) => number {
  const count = encodingOf(model) === "cl100k_base" ? countCl100k : countO200k;
  return (text) => (text ? count(text, PLAIN_TEXT) : 0);
}

function encodingOf(model: string | null): EncodingName | undefined {
  if (!model) return undefined;
  const parts = model.toLowerCase().replace(/^ft:/, "").split(":")[0]!.split("-");
  for (let length = parts.length; length > 0; length--) {
    const encoding = encodingByModel[parts.slice(0, length).join("-")];
    if (encoding) return encoding;
  }
  return undefined;
}

export function countTextTokens(text: string, model: string | null): number {
  return counterFor(model)(text);
}

export type { FunctionDefinition };

export interface PromptMessage {
  role: string;
  content: string;
  name?: string;
}

/**
 * Prompt tokens of a chat request the way OpenAI bills them (per-message overhead, reply
 * priming, function definitions rendered as TypeScript), per gpt-tokenizer's implementation of
 * OpenAI's published recipe. Tool schemas it cannot render count as their JSON text instead.
 */
export function countChatPromptTokens(
  messages: PromptMessage[],
  model: string | null,
  functions: FunctionDefinition[] = [],
): number {
  const count = counterFor(model);
  const chat: ChatMessage[] = messages;
  try {
    return computeChatCompletionTokenCount({ messages: chat, functions: functions.length > 0 ? functions : undefined }, count);
  } catch {
    // A schema nested too deeply to render or serialize counts as nothing rather than losing the log.
    return computeChatCompletionTokenCount({ messages: chat }, count) + count(jsonText(functions) ?? "");
  }
}
