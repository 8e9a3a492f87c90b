import type { Message, MessageDeltaUsage, RawMessageStreamEvent, Usage } from "@anthropic-ai/sdk/resources/messages";
import { z } from "zod";
import { type GenerationContext, parseRequest } from "./provider";
import { type Reply, jsonReply, sseReply } from "./reply";
import { namedFrame } from "./sse";
import { countTokens, generateAnswer, textOf } from "./tokens";

const messageRequestSchema = z.looseObject({
  model: z.string(),
  max_tokens: z.number().int().positive(),
  messages: z.array(z.looseObject({ role: z.string(), content: z.unknown() })).min(1),
  system: z.unknown().optional(),
  stream: z.boolean().nullish(),
});

// POST /v1/messages – one text block; streamed with the real event sequence:
// message_start, content_block_start, ping, content_block_delta per token, content_block_stop,
// message_delta (stop_reason, final usage), message_stop
export function createMessage(body: unknown, context: GenerationContext): Reply {
  const request = parseRequest(messageRequestSchema, body);
  const promptText = [textOf(request.system), ...request.messages.map((message) => textOf(message.content))]
    .filter(Boolean)
    .join("\n");
  const promptTokens = countTokens(promptText);
  // Anthropic's input_tokens excludes the tokens read from the prompt cache.
  const cacheRead = Math.min(context.cachedTokens, promptTokens);
  const inputTokens = promptTokens - cacheRead;
  const lastUser = request.messages.findLast((message) => message.role === "user");
  const answer = generateAnswer(textOf(lastUser?.content), context.completionTokens, request.max_tokens);
  const stopReason = answer.cutShort ? "max_tokens" : "end_turn";
  const usage = (outputTokens: number): Usage => ({
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: null,
    server_tool_use: null,
    service_tier: "standard",
    inference_geo: null,
    speed: null,
  });
  const message = {
    id: `msg_mock${context.sequence}`,
    type: "message",
    role: "assistant",
    model: request.model,
    content: [{ type: "text", text: answer.text, citations: null }],
    stop_reason: stopReason,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: usage(answer.tokens.length),
  } satisfies Message;

  if (!request.stream) return jsonReply(200, message);

  const event = (payload: RawMessageStreamEvent): string => namedFrame(payload);
  const finalUsage: MessageDeltaUsage = {
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cacheRead,
    output_tokens: answer.tokens.length,
    output_tokens_details: null,
    server_tool_use: null,
  };
  return sseReply([
    // Like the real API, message_start already counts the first output token.
    event({
      type: "message_start",
      message: { ...message, content: [], stop_reason: null, usage: usage(Math.min(1, answer.tokens.length)) },
    }),
    event({ type: "content_block_start", index: 0, content_block: { type: "text", text: "", citations: null } }),
    namedFrame({ type: "ping" }),
    ...answer.tokens.map((token) =>
      event({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: token } }),
    ),
    event({ type: "content_block_stop", index: 0 }),
    event({
      type: "message_delta",
      delta: { stop_reason: stopReason, stop_sequence: null, stop_details: null, container: null },
      usage: finalUsage,
    }),
    event({ type: "message_stop" }),
  ]);
}
