import { calcPrice, findProvider, type PriceCalculationResult, type Usage } from "@pydantic/genai-prices";
import type { TokenUsage } from "./logged-request";
import { roundUsd } from "./money";

export interface BillableUsage extends Pick<TokenUsage, "promptTokens" | "completionTokens" | "cachedTokens" | "totalTokens"> {
  /** Anthropic prompt-cache writes, part of promptTokens, billed above the input rate */
  cacheWriteTokens?: number | null;
}

export interface PriceUsageInput {
  provider: string;
  model: string | null;
  usage: BillableUsage | null;
  /** when the call was made, for models whose price changed over time; the price table's "now" if omitted */
  at?: Date;
}

export interface Cost {
  /** null when the price cannot be known, never a silent 0 */
  costUsd: number | null;
  costUnknown: boolean;
}

const NOTHING_BILLED: Cost = { costUsd: 0, costUnknown: false };
const UNKNOWN: Cost = { costUsd: null, costUnknown: true };

/** The two providers the proxy forwards to, tried in turn when a custom log names another one. */
const FALLBACK_PROVIDERS = ["openai", "anthropic"];

/**
 * Prices one call from the bundled genai-prices table (offline, no I/O). A call with no tokens
 * (GET /v1/models, an error before generation) costs exactly 0; tokens with a model the table
 * does not know, or only a total that cannot be split into input and output, cost null and are
 * flagged unknown. promptTokens includes cached and cache-written tokens, which are billed at
 * their own rates where the table has them. Rounded to 12 decimals to drop float noise.
 */
export function priceUsage({ provider, model, usage, at }: PriceUsageInput): Cost {
  if (!usage || !hasBillableTokens(usage)) return NOTHING_BILLED;
  if (!model || (usage.promptTokens === null && usage.completionTokens === null)) return UNKNOWN;

  const tableUsage: Usage = {
    input_tokens: usage.promptTokens ?? 0,
    output_tokens: usage.completionTokens ?? 0,
    cache_read_tokens: usage.cachedTokens ?? undefined,
    cache_write_tokens: usage.cacheWriteTokens ?? undefined,
  };
  const price = findPrice(tableUsage, model, provider, at);
  return price ? { costUsd: roundUsd(price.total_price), costUnknown: false } : UNKNOWN;
}

function hasBillableTokens(usage: BillableUsage): boolean {
  return [usage.promptTokens, usage.completionTokens, usage.cachedTokens, usage.cacheWriteTokens, usage.totalTokens].some(
    (count) => (count ?? 0) > 0,
  );
}

/**
 * A provider the table knows (by id, or by its own aliases: "azure-openai", "gemini", "bedrock")
 * is the only place to look. Otherwise the table guesses the provider from the model name
 * ("claude-…", "gpt-…"), and then the proxied providers are tried for names it cannot place
 * ("text-embedding-3-small").
 */
function findPrice(usage: Usage, model: string, provider: string, at: Date | undefined): PriceCalculationResult {
  if (findProvider({ providerId: provider })) return calc(usage, model, provider, at);
  for (const providerId of [undefined, ...FALLBACK_PROVIDERS]) {
    const price = calc(usage, model, providerId, at);
    if (price) return price;
  }
  return null;
}

/**
 * The provider whose API a URL belongs to, by the price table's own pattern for each provider
 * (api.openai.com → openai, api.anthropic.com → anthropic, generativelanguage.googleapis.com →
 * google, *.openai.azure.com → azure, api.groq.com → groq, …), or null for a host it does not
 * list. The same table prices the call, so a provider found here is one it has prices for.
 */
export function providerOfApiUrl(url: string): string | null {
  try {
    return findProvider({ providerApiUrl: url })?.id ?? null;
  } catch {
    return null;
  }
}

/**
 * The provider the price table places a model with ("gpt-4o-mini" → openai, "claude-…" →
 * anthropic, "gemini-…" → google), or null for a name it cannot place: for calls logged without a
 * provider (OTLP spans that name only a model, Langfuse generations).
 */
export function providerOfModel(model: string): string | null {
  try {
    return findProvider({ modelId: model })?.id ?? null;
  } catch {
    return null;
  }
}

/** The table throws on usage it finds inconsistent (more cached than prompt tokens): that price is unknown. */
function calc(usage: Usage, model: string, providerId: string | undefined, at: Date | undefined): PriceCalculationResult {
  try {
    return calcPrice(usage, model, { providerId, timestamp: at });
  } catch {
    return null;
  }
}

export interface CostBreakdown {
  inputUsd: number;
  outputUsd: number;
}

/**
 * How a priced call's cost splits into input (prompt, cached, cache writes) and output tokens,
 * from the same table as priceUsage; null when the price is unknown or nothing was billed.
 */
export function priceBreakdown({ provider, model, usage, at }: PriceUsageInput): CostBreakdown | null {
  if (!usage || !model || !hasBillableTokens(usage)) return null;
  const price = findPrice(
    {
      input_tokens: usage.promptTokens ?? 0,
      output_tokens: usage.completionTokens ?? 0,
      cache_read_tokens: usage.cachedTokens ?? undefined,
      cache_write_tokens: usage.cacheWriteTokens ?? undefined,
    },
    model,
    provider,
    at,
  );
  return price ? { inputUsd: roundUsd(price.input_price), outputUsd: roundUsd(price.output_price) } : null;
}
