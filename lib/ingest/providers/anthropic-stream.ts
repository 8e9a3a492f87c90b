import { isJsonObject, numberField, readJsonObject, stringField, type JsonObject } from "./exchange";
import type { SseJsonEvent } from "./sse";

export interface AssembledMessage {
  /** the Message the API would have returned without `stream: true` */
  message: JsonObject;
  /** message_delta arrived, so usage.output_tokens is the billed total, not message_start's placeholder */
  hasFinalUsage: boolean;
}

/**
 * Replays Anthropic's stream events onto the message from `message_start`: content blocks are
 * opened by content_block_start and grown by text/input_json/thinking deltas; message_delta sets
 * stop_reason and overwrites usage counters (they are cumulative totals, never increments). A
 * cut-off stream keeps what arrived; a tool input whose JSON was cut off is kept as its raw text.
 * Null when message_start never came. O(events + text length).
 */
export function assembleAnthropicStream(events: SseJsonEvent[]): AssembledMessage | null {
  let message: JsonObject | null = null;
  const blocks = new Map<number, JsonObject>();
  const toolInputJson = new Map<number, string>();
  let hasFinalUsage = false;
  let error: unknown = null;

  for (const { data } of events) {
    const index = numberField(data, "index") ?? 0;
    switch (data.type) {
      case "message_start":
        if (isJsonObject(data.message)) message = { ...data.message, usage: { ...(isJsonObject(data.message.usage) ? data.message.usage : {}) } };
        break;
      case "content_block_start":
        if (isJsonObject(data.content_block)) blocks.set(index, { ...data.content_block });
        break;
      case "content_block_delta": {
        const block = blocks.get(index);
        if (block && isJsonObject(data.delta)) applyDelta(block, data.delta, index, toolInputJson);
        break;
      }
      case "message_delta":
        if (!message) break;
        if (isJsonObject(data.delta)) Object.assign(message, withoutNulls(data.delta));
        if (isJsonObject(data.usage)) message.usage = { ...(message.usage as JsonObject), ...withoutNulls(data.usage) };
        hasFinalUsage = true;
        break;
      case "error":
        error = data.error;
        break;
    }
  }
  if (!message) return null;

  const content = [...blocks.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, block]) => {
      const json = toolInputJson.get(index);
      // a tool without arguments streams "" and keeps the {} from content_block_start
      return json ? { ...block, input: readJsonObject(json) ?? json } : block;
    });
  return { message: { ...message, content, ...(error ? { error } : {}) }, hasFinalUsage };
}

function applyDelta(block: JsonObject, delta: JsonObject, index: number, toolInputJson: Map<number, string>): void {
  switch (delta.type) {
    case "text_delta":
      block.text = (stringField(block, "text") ?? "") + (stringField(delta, "text") ?? "");
      break;
    case "input_json_delta":
      toolInputJson.set(index, (toolInputJson.get(index) ?? "") + (stringField(delta, "partial_json") ?? ""));
      break;
    case "thinking_delta":
      block.thinking = (stringField(block, "thinking") ?? "") + (stringField(delta, "thinking") ?? "");
      break;
    case "signature_delta":
      block.signature = stringField(delta, "signature");
      break;
    case "citations_delta":
      block.citations = [...(Array.isArray(block.citations) ? block.citations : []), delta.citation];
      break;
  }
}

function withoutNulls(source: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(source).filter(([, value]) => value !== null && value !== undefined));
}
