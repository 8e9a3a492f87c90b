export type ProviderName = "openai" | "anthropic";

/**
 * Errors we answer ourselves (bad key, upstream unreachable) in the provider's own error shape,
 * so that the caller's SDK raises its usual typed error (AuthenticationError, APIConnectionError…).
 */
export function providerErrorBody(provider: ProviderName, status: number, message: string): string {
  if (provider === "anthropic") {
    return JSON.stringify({ type: "error", error: { type: anthropicErrorType(status), message } });
  }
  return JSON.stringify({ error: { message, type: openAiErrorType(status), param: null, code: openAiErrorCode(status) } });
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

function openAiErrorCode(status: number): string | null {
  if (status === 401) return "invalid_api_key";
  if (status === 413) return "request_too_large";
  if (status === 502) return "upstream_unreachable";
  if (status === 504) return "upstream_timeout";
  return null;
}
