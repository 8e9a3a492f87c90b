import { describe, expect, it } from "vitest";
import { priceUsage, type BillableUsage } from "@/lib/domain/cost";

// Expected prices are computed by hand from the providers' published per-million-token prices,
// never by asking the price library, so a wrong table entry fails here.
const usage = (counts: Partial<BillableUsage>): BillableUsage => ({
  promptTokens: null,
  completionTokens: null,
  cachedTokens: null,
  totalTokens: null,
  ...counts,
});

describe("priceUsage", () => {
  it("prices gpt-4 at $30 per 1M input and $60 per 1M output tokens", () => {
    // 1,000 × $30/1M + 500 × $60/1M = $0.03 + $0.03
    const cost = priceUsage({ provider: "openai", model: "gpt-4", usage: usage({ promptTokens: 1000, completionTokens: 500 }) });
    expect(cost).toEqual({ costUsd: 0.06, costUnknown: false });
  });

  it("prices gpt-4o-mini cached prompt tokens at the cache-read rate", () => {
    // $0.15/1M input, $0.075/1M cached input, $0.60/1M output:
    // 600 uncached × 0.15 + 400 cached × 0.075 + 200 × 0.60 = 90 + 30 + 120 = 240 per 1M = $0.00024
    const cost = priceUsage({
      provider: "openai",
      model: "gpt-4o-mini",
      usage: usage({ promptTokens: 1000, cachedTokens: 400, completionTokens: 200 }),
    });
    expect(cost).toEqual({ costUsd: 0.00024, costUnknown: false });
  });

  it("prices a dated model name as its base model", () => {
    const counts = usage({ promptTokens: 1000, completionTokens: 200 });
    // 1,000 × $0.15/1M + 200 × $0.60/1M = $0.00015 + $0.00012
    expect(priceUsage({ provider: "openai", model: "gpt-4o-mini-2024-07-18", usage: counts })).toEqual({ costUsd: 0.00027, costUnknown: false });
    // 1,000 × $30/1M + 200 × $60/1M
    expect(priceUsage({ provider: "openai", model: "gpt-4-0613", usage: counts })).toEqual({ costUsd: 0.042, costUnknown: false });
  });

  it("prices text-embedding-3-small at $0.02 per 1M input tokens", () => {
    const cost = priceUsage({
      provider: "openai",
      model: "text-embedding-3-small",
      usage: usage({ promptTokens: 1_000_000, totalTokens: 1_000_000 }),
    });
    expect(cost).toEqual({ costUsd: 0.02, costUnknown: false });
  });

  it("prices claude-3-opus-20240229 at $15 per 1M input and $75 per 1M output tokens", () => {
    // 2,000 × $15/1M + 300 × $75/1M = $0.03 + $0.0225
    const cost = priceUsage({
      provider: "anthropic",
      model: "claude-3-opus-20240229",
      usage: usage({ promptTokens: 2000, completionTokens: 300 }),
    });
    expect(cost).toEqual({ costUsd: 0.0525, costUnknown: false });
  });

  it("prices claude-sonnet-4-5 cache reads at $0.30 and cache writes at $3.75 per 1M tokens", () => {
    // prompt = 100 uncached ($3/1M) + 1,000 cache reads ($0.30/1M) + 500 cache writes ($3.75/1M); 200 output ($15/1M)
    // 300 + 300 + 1,875 + 3,000 = 5,475 per 1M = $0.005475
    const cost = priceUsage({
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      usage: usage({ promptTokens: 1600, cachedTokens: 1000, cacheWriteTokens: 500, completionTokens: 200 }),
    });
    expect(cost).toEqual({ costUsd: 0.005475, costUnknown: false });
  });

  it("prices a claude-sonnet-4-5 prompt over 200k tokens at the long-context rates", () => {
    // above 200k input tokens every token costs $6/1M in and $22.50/1M out: 250,000 × 6 + 1,000 × 22.5
    const cost = priceUsage({
      provider: "anthropic",
      model: "claude-sonnet-4-5-20250929",
      usage: usage({ promptTokens: 250_000, completionTokens: 1000 }),
    });
    expect(cost).toEqual({ costUsd: 1.5225, costUnknown: false });
  });

  it("drops the float noise of summed prices", () => {
    // 500k uncached × 0.15 + 500k cached × 0.075 + 1M × 0.60 = $0.7125 (the raw float sum is 0.7124999999999999)
    const cost = priceUsage({
      provider: "openai",
      model: "gpt-4o-mini",
      usage: usage({ promptTokens: 1_000_000, cachedTokens: 500_000, completionTokens: 1_000_000 }),
    });
    expect(cost.costUsd).toBe(0.7125);
  });

  it("reports a model the price table does not know as unknown, never as free", () => {
    const cost = priceUsage({ provider: "openai", model: "my-finetune-v7", usage: usage({ promptTokens: 10, completionTokens: 5 }) });
    expect(cost).toEqual({ costUsd: null, costUnknown: true });
  });

  it("reports tokens without a model as unknown", () => {
    expect(priceUsage({ provider: "openai", model: null, usage: usage({ promptTokens: 10 }) })).toEqual({ costUsd: null, costUnknown: true });
  });

  it("reports a bare total that cannot be split into input and output as unknown", () => {
    expect(priceUsage({ provider: "openai", model: "gpt-4", usage: usage({ totalTokens: 30 }) })).toEqual({ costUsd: null, costUnknown: true });
  });

  it("reports inconsistent usage (more cached than prompt tokens) as unknown instead of throwing", () => {
    const cost = priceUsage({ provider: "openai", model: "gpt-4o", usage: usage({ promptTokens: 10, cachedTokens: 50, completionTokens: 1 }) });
    expect(cost).toEqual({ costUsd: null, costUnknown: true });
  });

  it("costs exactly 0 when nothing billable happened", () => {
    // GET /v1/models, or an error response: no usage at all
    expect(priceUsage({ provider: "openai", model: null, usage: null })).toEqual({ costUsd: 0, costUnknown: false });
    expect(priceUsage({ provider: "openai", model: "gpt-4", usage: usage({}) })).toEqual({ costUsd: 0, costUnknown: false });
    expect(priceUsage({ provider: "anthropic", model: "unknown-model", usage: usage({ promptTokens: 0, completionTokens: 0 }) })).toEqual({
      costUsd: 0,
      costUnknown: false,
    });
  });

  it("finds the model across providers when the provider is unknown", () => {
    const counts = usage({ promptTokens: 1000, completionTokens: 500 });
    expect(priceUsage({ provider: "my-gateway", model: "gpt-4", usage: counts })).toEqual({ costUsd: 0.06, costUnknown: false });
    // 1,000 × $15/1M + 500 × $75/1M
    expect(priceUsage({ provider: "my-gateway", model: "claude-3-opus-20240229", usage: counts })).toEqual({ costUsd: 0.0525, costUnknown: false });
    expect(priceUsage({ provider: "my-gateway", model: "text-embedding-3-small", usage: usage({ promptTokens: 1_000_000 }) })).toEqual({
      costUsd: 0.02,
      costUnknown: false,
    });
  });

  it("prices Azure OpenAI deployments of OpenAI models at OpenAI's rates", () => {
    const cost = priceUsage({ provider: "azure", model: "gpt-4", usage: usage({ promptTokens: 1000, completionTokens: 500 }) });
    expect(cost).toEqual({ costUsd: 0.06, costUnknown: false });
  });
});
