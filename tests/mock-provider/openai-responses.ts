import type { Response } from "openai/resources/responses/responses";
import { z } from "zod";
import { type GenerationContext, InvalidRequestError, parseRequest } from "./provider";
import { type Reply, jsonReply } from "./reply";
import { countTokens, generateAnswer, textOf } from "./tokens";

const responseRequestSchema = z.looseObject({
  model: z.string(),
  input: z.union([
    z.string(),
    z.array(z.looseObject({ role: z.string().optional(), content: z.unknown().optional() })),
  ]),
  instructions: z.string().nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  stream: z.boolean().nullish(),
});

/** The wire object: `output_text` is a convenience the SDK computes, the API never sends it. */
type WireResponse = Omit<Response, "output_text">;

// POST /v1/responses – one assistant message with one output_text part, not stored
export function createResponse(body: unknown, context: GenerationContext): Reply {
  const request = parseRequest(responseRequestSchema, body);
  if (request.stream) throw new InvalidRequestError("The mock provider does not stream /v1/responses", "stream");
  const items = typeof request.input === "string" ? [{ role: "user", content: request.input }] : request.input;
  const texts = items.map((item) => textOf(item.content));
  const inputTokens = countTokens([...(request.instructions ? [request.instructions] : []), ...texts].join("\n"));
  const lastUser = items.findLast((item) => item.role === "user");
  const answer = generateAnswer(textOf(lastUser?.content), context.completionTokens, request.max_output_tokens);
  const status = answer.cutShort ? "incomplete" : "completed";

  return jsonReply(200, {
    id: `resp_mock${context.sequence}`,
    object: "response",
    created_at: context.nowSeconds,
    completed_at: context.nowSeconds,
    status,
    background: false,
    access_programs: null,
    error: null,
    incomplete_details: answer.cutShort ? { reason: "max_output_tokens" } : null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    metadata: {},
    model: request.model,
    output: [
      {
        id: `msg_mock${context.sequence}`,
        type: "message",
        status,
        role: "assistant",
        content: [{ type: "output_text", text: answer.text, annotations: [], logprobs: [] }],
      },
    ],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    service_tier: "default",
    temperature: 1,
    text: { format: { type: "text" }, verbosity: "medium" },
    tool_choice: "auto",
    tools: [],
    top_p: 1,
    truncation: "disabled",
    usage: {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: Math.min(context.cachedTokens, inputTokens), cache_write_tokens: 0 },
      output_tokens: answer.tokens.length,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: inputTokens + answer.tokens.length,
    },
  } satisfies WireResponse);
}
