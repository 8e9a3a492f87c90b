/**
 * Deterministic stand-ins for a tokenizer and a model.
 *
 * Counting: a text costs ceil(chars / 4) tokens (the usual rule of thumb for English); a token
 * array costs its length. A real tokenizer would cost more per request than the whole mock is
 * allowed to, and callers only need numbers that are stable and derived from the input.
 *
 * Generation: the answer is "Mock answer to: " + the first 40 characters of the prompt
 * (whitespace collapsed), padded with filler words or cut to exactly the planned length. One word
 * is one token, so a stream carries exactly one content chunk per completion token.
 */

import { z } from "zod";

const ANSWER_PREFIX = "Mock answer to:";
const PROMPT_CHARS_ECHOED = 40;
const FILLER = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit"];

export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface Answer {
  /** Each token after the first carries its leading space, so tokens.join("") === text. */
  tokens: string[];
  text: string;
  /** True when the caller's max tokens stopped the answer early ("length" / "max_tokens"). */
  cutShort: boolean;
}

/** `wanted` tokens answering `prompt`, unless the caller's own limit stops it first, as a model would. */
export function generateAnswer(prompt: string, wanted: number, maxTokens?: number | null): Answer {
  const count = maxTokens == null ? wanted : Math.min(wanted, maxTokens);
  const echoed = prompt.slice(0, PROMPT_CHARS_ECHOED).split(/\s+/).filter(Boolean);
  const words = [...ANSWER_PREFIX.split(" "), ...echoed].slice(0, count);
  for (let filler = 0; words.length < count; filler++) words.push(FILLER[filler % FILLER.length]);
  const tokens = words.map((word, index) => (index === 0 ? word : ` ${word}`));
  return { tokens, text: tokens.join(""), cutShort: count < wanted };
}

/**
 * Plain text of a message's content in either provider's shape: a string, or an array of parts
 * of which only those carrying `text` count (images, tool calls and the like are ignored).
 */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let text = "";
  for (const part of content) {
    if (typeof part === "object" && part !== null && "text" in part && typeof part.text === "string") {
      text += part.text;
    }
  }
  return text;
}

/** OpenAI's `prompt` / `input` forms: a string, strings, one token array, or token arrays. */
export const textOrTokensSchema = z.union([
  z.string(),
  z.array(z.string()).min(1),
  z.array(z.number().int()).min(1),
  z.array(z.array(z.number().int())).min(1),
]);
export type TextOrTokens = z.infer<typeof textOrTokensSchema>;

/** One entry per input the caller sent, with its text (token ids joined by spaces) and cost. */
export function splitInputs(input: TextOrTokens): Array<{ text: string; tokens: number }> {
  if (typeof input === "string" || isTokenArray(input)) return [inputEntry(input)];
  return input.map(inputEntry);
}

function isTokenArray(input: string[] | number[] | number[][]): input is number[] {
  return typeof input[0] === "number";
}

function inputEntry(item: string | number[]): { text: string; tokens: number } {
  return typeof item === "string" ? { text: item, tokens: countTokens(item) } : { text: item.join(" "), tokens: item.length };
}
