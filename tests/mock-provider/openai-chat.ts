import type { ChatCompletion, ChatCompletionChunk } from "openai/resources/chat/completions";
import type { Completion, CompletionUsage } from "openai/resources/completions";
import { z } from "zod";
import { type GenerationContext, InvalidRequestError, parseRequest } from "./provider";
import { type Reply, jsonReply, sseReply } from "./reply";
import { DONE_FRAME, dataFrame } from "./sse";
import { countTokens, generateAnswer, splitInputs, textOf, textOrTokensSchema } from "./tokens";

const SYSTEM_FINGERPRINT = "fp_mock";

const chatRequestSchema = z.looseObject({
  model: z.string(),
  messages: z.array(z.looseObject({ role: z.string(), content: z.unknown() })).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  tools: z.array(z.looseObject({ type: z.string(), function: z.looseObject({ name: z.string() }) })).nullish(),
  tool_choice: z.union([z.string(), z.looseObject({ type: z.string(), function: z.looseObject({ name: z.string() }) })]).nullish(),
});

/**
 * The tool a request makes the model call, as the real API does: `tool_choice` "required" (the
 * first tool) or a named function. The call's arguments are always `{}`. Anything else answers
 * with text, so an agent that forces a tool on its first step only gets one tool call.
 */
function forcedToolName(request: z.output<typeof chatRequestSchema>): string | null {
  const choice = request.tool_choice;
  if (choice && typeof choice === "object") return choice.function.name;
  return choice === "required" ? (request.tools?.[0]?.function.name ?? null) : null;
}

// POST /v1/chat/completions – one choice; streamed as role, one chunk per token, finish, [usage], [DONE]
export function chatCompletion(body: unknown, context: GenerationContext): Reply {
  const request = parseRequest(chatRequestSchema, body);
  const promptTokens = countTokens(request.messages.map((message) => textOf(message.content)).join("\n"));
  const lastUser = request.messages.findLast((message) => message.role === "user");
  const answer = generateAnswer(
    textOf(lastUser?.content),
    context.completionTokens,
    request.max_completion_tokens ?? request.max_tokens,
  );
  const finishReason = answer.cutShort ? "length" : "stop";
  const usage = completionUsage(promptTokens, answer.tokens.length, context.cachedTokens);
  const envelope = {
    id: `chatcmpl-mock${context.sequence}`,
    created: context.nowSeconds,
    model: request.model,
    service_tier: "default",
    system_fingerprint: SYSTEM_FINGERPRINT,
  } as const;

  const toolName = forcedToolName(request);
  if (toolName !== null) {
    if (request.stream) throw new InvalidRequestError("The mock provider does not stream tool calls", "stream");
    return jsonReply(200, {
      ...envelope,
      object: "chat.completion",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: null,
            refusal: null,
            annotations: [],
            tool_calls: [{ id: `call_mock${context.sequence}`, type: "function", function: { name: toolName, arguments: "{}" } }],
          },
          logprobs: null,
          finish_reason: "tool_calls",
        },
      ],
      usage: completionUsage(promptTokens, 5, context.cachedTokens),
    } satisfies ChatCompletion);
  }

  if (!request.stream) {
    return jsonReply(200, {
      ...envelope,
      object: "chat.completion",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: answer.text, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: finishReason,
        },
      ],
      usage,
    } satisfies ChatCompletion);
  }

  // With include_usage every chunk carries `usage: null` and one last chunk with no choices
  // carries the totals; without it the field is absent, as on the real API.
  const includeUsage = request.stream_options?.include_usage === true;
  const chunk = (choices: ChatCompletionChunk.Choice[], chunkUsage: CompletionUsage | null = null): string =>
    dataFrame({
      ...envelope,
      object: "chat.completion.chunk",
      choices,
      ...(includeUsage ? { usage: chunkUsage } : {}),
    } satisfies ChatCompletionChunk);
  const delta = (content: ChatCompletionChunk.Choice.Delta, finish: ChatCompletionChunk.Choice["finish_reason"] = null) =>
    chunk([{ index: 0, delta: content, logprobs: null, finish_reason: finish }]);

  return sseReply([
    delta({ role: "assistant", content: "", refusal: null }),
    ...answer.tokens.map((token) => delta({ content: token })),
    delta({}, finishReason),
    ...(includeUsage ? [chunk([], usage)] : []),
    DONE_FRAME,
  ]);
}

const completionRequestSchema = z.looseObject({
  model: z.string(),
  prompt: textOrTokensSchema,
  stream: z.boolean().nullish(),
  max_tokens: z.number().int().positive().nullish(),
});

// POST /v1/completions – legacy text completion; one choice answering the first prompt
export function textCompletion(body: unknown, context: GenerationContext): Reply {
  const request = parseRequest(completionRequestSchema, body);
  if (request.stream) throw new InvalidRequestError("The mock provider does not stream /v1/completions", "stream");
  const inputs = splitInputs(request.prompt);
  const promptTokens = inputs.reduce((sum, input) => sum + input.tokens, 0);
  const answer = generateAnswer(inputs[0]?.text ?? "", context.completionTokens, request.max_tokens);
  return jsonReply(200, {
    id: `cmpl-mock${context.sequence}`,
    object: "text_completion",
    created: context.nowSeconds,
    model: request.model,
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: [{ index: 0, text: answer.text, logprobs: null, finish_reason: answer.cutShort ? "length" : "stop" }],
    usage: completionUsage(promptTokens, answer.tokens.length, context.cachedTokens),
  } satisfies Completion);
}

function completionUsage(promptTokens: number, completionTokens: number, cachedTokens: number): CompletionUsage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: Math.min(cachedTokens, promptTokens), audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}
