import { createMessage } from "./anthropic-messages";
import { InvalidRequestError, type ProviderApi, requestId } from "./provider";
import { type Reply, jsonReply } from "./reply";

/** Error type and usual text per status, as the Messages API documents them. */
function defaultError(status: number): { type: string; message: string } {
  switch (status) {
    case 401:
      return { type: "authentication_error", message: "invalid x-api-key" };
    case 402:
      return { type: "billing_error", message: "Your credit balance is too low to access the Anthropic API." };
    case 403:
      return { type: "permission_error", message: "Your API key does not have permission to use the specified resource." };
    case 404:
      return { type: "not_found_error", message: "Not found" };
    case 413:
      return { type: "request_too_large", message: "Request exceeds the maximum allowed number of bytes." };
    case 429:
      return { type: "rate_limit_error", message: "Number of requests has exceeded your per-minute rate limit." };
    case 504:
      return { type: "timeout_error", message: "Request timed out." };
    case 529:
      return { type: "overloaded_error", message: "Overloaded" };
  }
  return status >= 500
    ? { type: "api_error", message: "Internal server error" }
    : { type: "invalid_request_error", message: "Invalid request." };
}

function anthropicError(status: number, sequence: number, message?: string): Reply {
  const detail = defaultError(status);
  return jsonReply(
    status,
    { type: "error", error: { type: detail.type, message: message ?? detail.message }, request_id: requestId(sequence) },
    status === 429 ? { "retry-after": "1" } : {},
  );
}

/** Anthropic's wire format: x-api-key (or OAuth Bearer) auth, `{ type: "error", error: { type, message } }`. */
export const anthropicProvider: ProviderApi = {
  requestIdHeader: "request-id",

  // Presence only: any key works, so tests and benchmarks need no secrets.
  rejectMissingCredentials: (headers, sequence) =>
    headers["x-api-key"] || headers.authorization ? null : anthropicError(401, sequence, "x-api-key header is required"),

  error: anthropicError,

  handle(method, pathname, body, context) {
    if (method !== "POST" || pathname !== "/v1/messages") {
      return anthropicError(404, context.sequence, `${method} ${pathname} is not supported by the mock provider`);
    }
    try {
      return createMessage(body, context);
    } catch (error) {
      if (error instanceof InvalidRequestError) return anthropicError(400, context.sequence, error.message);
      throw error;
    }
  },
};
