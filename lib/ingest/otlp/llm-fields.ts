import type { BillableUsage } from "../../domain/cost";
import { isTokenCount, MAX_TOKEN_COUNT } from "../token-count";
import { LANGFUSE_MODEL, readLangfuseCost, readLangfuseUsage } from "./langfuse-attributes";
import type { AttributeValue, Attributes } from "./otlp-span";

/**
 * What makes a span an LLM call, read from the conventions instrumentations use: the
 * OpenTelemetry GenAI semantic conventions (`gen_ai.*`, and their legacy names OpenLLMetry still
 * sends), OpenInference (`llm.*`), the Vercel AI SDK (`ai.*`) and Langfuse's SDKs (`langfuse.*`,
 * whose usage and cost are JSON objects: langfuse-attributes.ts). The first key present wins, in
 * the order listed (response model before request model: it names the exact version billed).
 */
export interface LlmFields {
  /** as the instrumentation names it, lower-cased; null when the span names none */
  provider: string | null;
  model: string | null;
  /** null when the span reports no token counts at all */
  usage: BillableUsage | null;
  /** the cost the span reports itself (Langfuse's cost_details), USD; null: price it from the table */
  givenCostUsd: number | null;
  stream: boolean;
  timeToFirstTokenMs: number | null;
  /** a token count or cost that cannot be stored (not a whole number the database holds, a negative cost): the span is refused */
  invalid: string | null;
}

const PROVIDER_KEYS = ["gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system"];

interface KeySet {
  model: string[];
  /** input tokens, cached ones included (the semantic conventions' meaning, and promptTokens') */
  prompt: string[];
  completion: string[];
  total: string[];
  cacheRead: string[];
  cacheWrite: string[];
}

const SPAN_KEYS: KeySet = {
  model: [LANGFUSE_MODEL, "gen_ai.response.model", "gen_ai.request.model", "llm.model_name"],
  prompt: ["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt", "llm.usage.prompt_tokens"],
  completion: ["gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion", "llm.usage.completion_tokens"],
  total: ["gen_ai.usage.total_tokens", "llm.usage.total_tokens", "llm.token_count.total"],
  cacheRead: ["gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens", "llm.token_count.prompt_details.cache_read"],
  cacheWrite: ["gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_creation_input_tokens", "llm.token_count.prompt_details.cache_write"],
};

// Plus the Vercel AI SDK's v4 and v5 names, after the standard ones (`ai.usage.tokens` is an
// embedding call's input).
const VERCEL_CALL_KEYS: KeySet = {
  model: [...SPAN_KEYS.model, "ai.response.model", "ai.model.id"],
  prompt: [...SPAN_KEYS.prompt, "ai.usage.inputTokens", "ai.usage.promptTokens", "ai.usage.tokens"],
  completion: [...SPAN_KEYS.completion, "ai.usage.outputTokens", "ai.usage.completionTokens"],
  total: [...SPAN_KEYS.total, "ai.usage.totalTokens"],
  cacheRead: [...SPAN_KEYS.cacheRead, "ai.usage.cachedInputTokens"],
  cacheWrite: SPAN_KEYS.cacheWrite,
};

const TOKEN_KEYS = (keys: KeySet) => [...keys.prompt, ...keys.completion, ...keys.total, ...keys.cacheRead, ...keys.cacheWrite];
const SPAN_TOKEN_KEYS = TOKEN_KEYS(SPAN_KEYS);
const VERCEL_CALL_TOKEN_KEYS = TOKEN_KEYS(VERCEL_CALL_KEYS);

/**
 * The Vercel AI SDK wraps each provider call (`ai.generateText.doGenerate`, `….doStream`,
 * `ai.embed.doEmbed`) in a span for the whole operation (`ai.generateText`) that repeats the
 * model and sums its calls' usage. Only the provider calls are priced, or the trace would count
 * every token twice; the wrapper stays a plain node.
 */
const VERCEL_PROVIDER_CALL = /\.do(Generate|Stream|Embed)$/;

export function readLlmFields(attributes: Attributes): LlmFields {
  const operationId = stringAt(attributes, ["ai.operationId"]);
  const vercelCall = operationId !== null && VERCEL_PROVIDER_CALL.test(operationId);
  if (operationId !== null && !vercelCall) {
    return { provider: null, model: null, usage: null, givenCostUsd: null, stream: false, timeToFirstTokenMs: null, invalid: null };
  }
  const keys = vercelCall ? VERCEL_CALL_KEYS : SPAN_KEYS;

  // The SDK names providers "openai.chat", "anthropic.messages" (provider id, then the API called),
  // in ai.model.provider and in the gen_ai.system it also sets: keep the provider id.
  const vercelProvider = vercelCall ? stringAt(attributes, ["ai.model.provider"]) : null;
  const provider = vercelProvider ? vercelProvider.split(".")[0]! : stringAt(attributes, PROVIDER_KEYS);

  // Langfuse's usage_details, when present, is the span's whole usage.
  const langfuseUsage = readLangfuseUsage(attributes);
  const givenCost = readLangfuseCost(attributes);
  return {
    provider: provider?.toLowerCase() ?? null,
    model: stringAt(attributes, keys.model),
    usage: langfuseUsage?.ok ? langfuseUsage.value : readUsage(attributes, keys),
    givenCostUsd: givenCost?.ok ? givenCost.value : null,
    stream: attributes["llm.is_streaming"] === true || (operationId?.endsWith(".doStream") ?? false) || invokedAsStream(attributes),
    timeToFirstTokenMs: vercelCall ? numberAt(attributes, ["ai.response.msToFirstChunk"]) : null,
    invalid:
      (langfuseUsage?.ok === false ? langfuseUsage.reason : null) ??
      (givenCost?.ok === false ? givenCost.reason : null) ??
      (langfuseUsage ? null : findInvalidTokenCount(attributes, vercelCall ? VERCEL_CALL_TOKEN_KEYS : SPAN_TOKEN_KEYS)),
  };
}

/** OpenInference records the call's parameters as JSON: `{"model":"gpt-4o","stream":true}`. */
function invokedAsStream(attributes: Attributes): boolean {
  const parameters = attributes["llm.invocation_parameters"];
  return typeof parameters === "string" && /"stream"\s*:\s*true/.test(parameters);
}

function readUsage(attributes: Attributes, keys: KeySet): BillableUsage | null {
  const promptTokens = tokenCountAt(attributes, keys.prompt);
  const completionTokens = tokenCountAt(attributes, keys.completion);
  const cachedTokens = tokenCountAt(attributes, keys.cacheRead);
  const cacheWriteTokens = tokenCountAt(attributes, keys.cacheWrite);
  const reportedTotal = tokenCountAt(attributes, keys.total);
  if (promptTokens === null && completionTokens === null && cachedTokens === null && cacheWriteTokens === null && reportedTotal === null) {
    return null;
  }
  const totalTokens = reportedTotal ?? (promptTokens === null && completionTokens === null ? null : (promptTokens ?? 0) + (completionTokens ?? 0));
  return { promptTokens, completionTokens, cachedTokens, totalTokens, cacheWriteTokens };
}

function stringAt(attributes: Attributes, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value === "string" && value.trim() !== "") return value.trim();
  }
  return null;
}

function numberAt(attributes: Attributes, keys: readonly string[]): number | null {
  for (const key of keys) {
    const value = attributes[key];
    const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    if (typeof number === "number" && Number.isFinite(number) && number >= 0) return number;
  }
  return null;
}

function tokenCountAt(attributes: Attributes, keys: readonly string[]): number | null {
  for (const key of keys) {
    const count = toTokenCount(attributes[key]);
    if (count !== null) return count;
  }
  return null;
}

function findInvalidTokenCount(attributes: Attributes, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = attributes[key];
    if (value !== undefined && value !== null && toTokenCount(value) === null) {
      return `${key} must be a whole number from 0 to ${MAX_TOKEN_COUNT}, not ${JSON.stringify(value).slice(0, 40)}`;
    }
  }
  return null;
}

/** Some instrumentations send token counts as strings. */
function toTokenCount(value: AttributeValue | undefined): number | null {
  const count = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return isTokenCount(count) ? count : null;
}
