import type { Model } from "openai/resources/models";
import { chatCompletion, textCompletion } from "./openai-chat";
import { createEmbeddings } from "./openai-embeddings";
import { createResponse } from "./openai-responses";
import { type GenerationContext, InvalidRequestError, type ProviderApi } from "./provider";
import { type Reply, jsonReply } from "./reply";

const MODEL_CREATED_AT = 1_715_367_049;
const MODELS: Model[] = ["gpt-4o", "gpt-4o-mini", "gpt-4.1-mini", "o4-mini", "text-embedding-3-small", "text-embedding-3-large"].map(
  (id) => ({ id, object: "model", created: MODEL_CREATED_AT, owned_by: "system" }),
);

const MISSING_KEY_MESSAGE =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";

interface OpenAIErrorDetail {
  message: string;
  type: string;
  code: string | null;
}

/** The text, type and code the real API uses for each status it returns. */
function defaultError(status: number): OpenAIErrorDetail {
  switch (status) {
    case 401:
      return { message: "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key" };
    case 404:
      return { message: "The requested resource does not exist.", type: "invalid_request_error", code: null };
    case 429:
      return {
        message: "Rate limit reached for requests per min (RPM). Please try again in 1s.",
        type: "requests",
        code: "rate_limit_exceeded",
      };
    case 503:
      return { message: "The server is overloaded or not ready yet.", type: "server_error", code: null };
  }
  return status >= 500
    ? { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", code: null }
    : { message: "Invalid request.", type: "invalid_request_error", code: null };
}

function openaiError(status: number, message?: string, param: string | null = null): Reply {
  const detail = defaultError(status);
  return jsonReply(
    status,
    { error: { message: message ?? detail.message, type: detail.type, param, code: detail.code } },
    status === 429 ? { "retry-after": "1" } : {},
  );
}

function route(method: string, pathname: string, body: unknown, context: GenerationContext): Reply {
  if (method === "POST" && pathname === "/v1/chat/completions") return chatCompletion(body, context);
  if (method === "POST" && pathname === "/v1/completions") return textCompletion(body, context);
  if (method === "POST" && pathname === "/v1/embeddings") return createEmbeddings(body);
  if (method === "POST" && pathname === "/v1/responses") return createResponse(body, context);
  // GET /v1/models – a fixed list; not paginated, like the real endpoint
  if (method === "GET" && pathname === "/v1/models") return jsonReply(200, { object: "list", data: MODELS });
  return openaiError(404, `Invalid URL (${method} ${pathname})`);
}

/** OpenAI's wire format: Bearer auth, `{ error: { message, type, param, code } }` errors. */
export const openaiProvider: ProviderApi = {
  requestIdHeader: "x-request-id",

  // Presence only: any key works, so tests and benchmarks need no secrets.
  rejectMissingCredentials: (headers) =>
    headers.authorization ? null : openaiError(401, MISSING_KEY_MESSAGE),

  error: (status, _sequence, message) => openaiError(status, message),

  handle(method, pathname, body, context) {
    try {
      return route(method, pathname, body, context);
    } catch (error) {
      if (error instanceof InvalidRequestError) return openaiError(400, error.message, error.param);
      throw error;
    }
  },
};
