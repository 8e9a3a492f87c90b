import type { IncomingHttpHeaders } from "node:http";
import { z } from "zod";

/** Startup options; every field has a default that suits unit tests (no latency, no errors). */
export const mockProviderOptionsSchema = z.object({
  /** 0 picks a free port. The mock always binds 127.0.0.1. */
  port: z.number().int().min(0).max(65_535).default(0),
  /** Wait before the response headers are sent. */
  latencyMs: z.number().int().nonnegative().default(0),
  /** Wait between two SSE chunks of a stream. */
  chunkDelayMs: z.number().int().nonnegative().default(0),
  /** Tokens generated per answer; a stream has one content chunk per token. */
  completionTokens: z.number().int().nonnegative().default(16),
  /** Prompt tokens reported as served from the provider's prompt cache. */
  cachedTokens: z.number().int().nonnegative().default(0),
  /** Share of requests (0..1) answered with `errorStatus` instead of a result. */
  errorRate: z.number().min(0).max(1).default(0),
  errorStatus: z.number().int().min(400).max(599).default(500),
  /** Size of the ring behind GET /__mock/requests; 0 keeps nothing. */
  maxRecordedRequests: z.number().int().nonnegative().default(1000),
});
export type MockProviderOptions = z.input<typeof mockProviderOptionsSchema>;
export type MockProviderConfig = z.output<typeof mockProviderOptionsSchema>;

/**
 * How the socket is destroyed: `before-headers` answers nothing at all (the client sees a reset),
 * `after-headers` sends the status line and headers only, `mid-stream` sends about half the body.
 */
export const dropModes = ["before-headers", "after-headers", "mid-stream"] as const;
export type DropMode = (typeof dropModes)[number];

/** What one request gets: the startup options, overridden by its x-mock-* headers. */
export interface Scenario {
  latencyMs: number;
  chunkDelayMs: number;
  completionTokens: number;
  cachedTokens: number;
  /** Answer with this status instead of a result; null lets the request through. */
  errorStatus: number | null;
  dropConnection: DropMode | null;
}

export class ScenarioHeaderError extends Error {}

/**
 * Resolves the scenario for one request. `errorRate` is rolled here, so a forced
 * x-mock-error-status always wins and an unlucky roll uses the configured `errorStatus`.
 * Throws ScenarioHeaderError for a malformed header, so a typo fails loudly instead of silently
 * testing the default.
 */
export function resolveScenario(config: MockProviderConfig, headers: IncomingHttpHeaders): Scenario {
  const forcedStatus = integerHeader(headers, "x-mock-error-status");
  if (forcedStatus !== undefined && (forcedStatus < 400 || forcedStatus > 599)) {
    throw new ScenarioHeaderError("x-mock-error-status must be between 400 and 599");
  }
  const injected = config.errorRate > 0 && Math.random() < config.errorRate ? config.errorStatus : null;
  return {
    latencyMs: integerHeader(headers, "x-mock-latency-ms") ?? config.latencyMs,
    chunkDelayMs: integerHeader(headers, "x-mock-chunk-delay-ms") ?? config.chunkDelayMs,
    completionTokens: integerHeader(headers, "x-mock-completion-tokens") ?? config.completionTokens,
    cachedTokens: integerHeader(headers, "x-mock-cached-tokens") ?? config.cachedTokens,
    errorStatus: forcedStatus ?? injected,
    dropConnection: dropHeader(headers),
  };
}

function integerHeader(headers: IncomingHttpHeaders, name: string): number | undefined {
  const raw = headers[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== "string" || !/^\d+$/.test(raw)) {
    throw new ScenarioHeaderError(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

function dropHeader(headers: IncomingHttpHeaders): DropMode | null {
  const raw = headers["x-mock-drop-connection"];
  if (raw === undefined) return null;
  const mode = dropModes.find((candidate) => candidate === raw);
  if (!mode) throw new ScenarioHeaderError(`x-mock-drop-connection must be one of ${dropModes.join(", ")}`);
  return mode;
}
