import type { ApiError } from "../shared/api-error";

export type ProviderName = "openai" | "anthropic";

/**
 * Errors we answer ourselves (bad key, rate limit, upstream unreachable) in the provider's own
 * error shape, so that the caller's SDK raises its usual typed error (AuthenticationError,
 * RateLimitError, APIConnectionError…). The error's code is the same string every other endpoint
 * answers for that condition: OpenAI's shape has a `code` field for it; Anthropic's gets one.
 */
export function providerErrorBody(provider: ProviderName, { status, code, message }: ApiError): string {
  if (provider === "anthropic") {
    return JSON.stringify({ type: "error", error: { type: anthropicErrorType(status), message, code } });
  }
  return JSON.stringify({ error: { message, type: openAiErrorType(status), param: null, code } });
}

function anthropicErrorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

function openAiErrorType(status: number): string {
  if (status === 401) return "invalid_request_error";
  if (status === 429) return "rate_limit_exceeded";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}
