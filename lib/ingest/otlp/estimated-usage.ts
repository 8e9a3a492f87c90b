import type { BillableUsage } from "../../domain/cost";
import { countTextTokens } from "../providers/token-estimate";
import type { SpanContent } from "./llm-content";

/**
 * Tokens of an LLM span whose instrumentation reported no usage (OpenInference's OpenAI
 * instrumentation on a stream, a hand-made span with a model and messages), counted from its
 * prompt and answer as the proxy counts a stream without its usage chunk, and marked estimated.
 * Only a span that names a model and carries an answer is counted: without both it is no call we
 * could price. Counting is over the text only (no per-message overhead): an estimate, said so.
 */
export function estimateUsageFromContent(model: string | null, content: SpanContent): BillableUsage | null {
  if (model === null || content.output === undefined) return null;
  const completion = textOf(content.output);
  if (completion === "") return null;
  const promptTokens = content.input === undefined ? null : countTextTokens(textOf(content.input), model);
  const completionTokens = countTextTokens(completion, model);
  return { promptTokens, completionTokens, cachedTokens: null, totalTokens: (promptTokens ?? 0) + completionTokens };
}

/** Keys whose values are labels, not text the model read or wrote. */
const NOT_TEXT = new Set(["role", "model", "id", "type", "name", "object", "finish_reason", "finishReason", "mime_type", "tool_call_id"]);

/** The text in a prompt or answer, whatever shape it was recorded in: strings, messages, request or response JSON. */
function textOf(value: unknown, depth = 0): string {
  if (typeof value === "string") return value;
  if (depth > 16 || value === null || typeof value !== "object") return "";
  const parts: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) parts.push(textOf(item, depth + 1));
  } else {
    for (const [key, item] of Object.entries(value)) if (!NOT_TEXT.has(key)) parts.push(textOf(item, depth + 1));
  }
  return parts.filter((part) => part !== "").join("\n");
}
