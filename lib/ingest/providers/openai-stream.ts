import { arrayField, isJsonObject, numberField, stringField, type JsonObject } from "./exchange";
import type { SseJsonEvent } from "./sse";

/**
 * Rebuilds the object OpenAI would have returned without `stream: true` from the events that
 * arrived: a `chat.completion` from chat chunks, a `text_completion` from completion chunks, or
 * the Responses API's `response`. A cut-off stream rebuilds as far as it got. Null when no event
 * is recognisable. O(events + text length).
 */
export function assembleOpenAiStream(events: SseJsonEvent[]): JsonObject | null {
  if (events.some((event) => stringField(event.data, "type")?.startsWith("response."))) {
    return assembleResponse(events);
  }
  const chunks = events.map((event) => event.data).filter((data) => "choices" in data || "usage" in data || "error" in data);
  if (chunks.length === 0) return null;
  const isTextCompletion = chunks.some(
    (chunk) =>
      stringField(chunk, "object") === "text_completion" ||
      arrayField(chunk, "choices").some((choice) => stringField(choice, "text") !== null),
  );
  return isTextCompletion ? assembleTextCompletion(chunks) : assembleChatCompletion(chunks);
}

interface ToolCallDraft {
  index: number;
  id: string | null;
  type: string;
  name: string;
  arguments: string;
}

interface ChatChoiceDraft {
  index: number;
  role: string | null;
  content: string | null;
  refusal: string | null;
  toolCalls: Map<number, ToolCallDraft>;
  finishReason: string | null;
}

function assembleChatCompletion(chunks: JsonObject[]): JsonObject {
  const choices = new Map<number, ChatChoiceDraft>();
  for (const chunk of chunks) {
    for (const choice of arrayField(chunk, "choices")) {
      const index = numberField(choice, "index") ?? 0;
      const draft = choices.get(index) ?? { index, role: null, content: null, refusal: null, toolCalls: new Map(), finishReason: null };
      choices.set(index, draft);
      draft.finishReason = stringField(choice, "finish_reason") ?? draft.finishReason;
      const delta = isJsonObject(choice) ? choice.delta : null;
      if (!isJsonObject(delta)) continue;
      draft.role = stringField(delta, "role") ?? draft.role;
      // content stays null until text arrives, as in a non-stream reply that only calls tools
      if (typeof delta.content === "string") draft.content = (draft.content ?? "") + delta.content;
      if (typeof delta.refusal === "string") draft.refusal = (draft.refusal ?? "") + delta.refusal;
      arrayField(delta, "tool_calls").forEach((call, position) => addToolCallDelta(draft.toolCalls, call, position));
    }
  }

  return {
    ...chunkMetadata(chunks),
    object: "chat.completion",
    choices: sortedByIndex(choices).map((draft) => ({
      index: draft.index,
      message: {
        role: draft.role ?? "assistant",
        content: draft.content,
        refusal: draft.refusal,
        ...(draft.toolCalls.size > 0
          ? {
              tool_calls: sortedByIndex(draft.toolCalls).map((call) => ({
                id: call.id,
                type: call.type,
                function: { name: call.name, arguments: call.arguments },
              })),
            }
          : {}),
      },
      finish_reason: draft.finishReason,
    })),
    ...lastUsageAndError(chunks),
  };
}

/** The first piece of a call carries id and name; later pieces, matched by index, carry argument text. */
function addToolCallDelta(calls: Map<number, ToolCallDraft>, delta: unknown, position: number): void {
  const index = numberField(delta, "index") ?? position;
  const call = calls.get(index) ?? { index, id: null, type: "function", name: "", arguments: "" };
  calls.set(index, call);
  call.id = stringField(delta, "id") ?? call.id;
  call.type = stringField(delta, "type") ?? call.type;
  const fn = isJsonObject(delta) ? delta.function : null;
  call.name = stringField(fn, "name") ?? call.name;
  call.arguments += stringField(fn, "arguments") ?? "";
}

function assembleTextCompletion(chunks: JsonObject[]): JsonObject {
  const choices = new Map<number, { index: number; text: string; finishReason: string | null }>();
  for (const chunk of chunks) {
    for (const choice of arrayField(chunk, "choices")) {
      const index = numberField(choice, "index") ?? 0;
      const draft = choices.get(index) ?? { index, text: "", finishReason: null };
      choices.set(index, draft);
      draft.text += stringField(choice, "text") ?? "";
      draft.finishReason = stringField(choice, "finish_reason") ?? draft.finishReason;
    }
  }
  return {
    ...chunkMetadata(chunks),
    object: "text_completion",
    choices: sortedByIndex(choices).map((draft) => ({ index: draft.index, text: draft.text, finish_reason: draft.finishReason })),
    ...lastUsageAndError(chunks),
  };
}

/** Every chunk repeats these; the first chunk that has one wins. */
function chunkMetadata(chunks: JsonObject[]): JsonObject {
  const first = (key: string) => chunks.find((chunk) => chunk[key] !== undefined && chunk[key] !== null)?.[key];
  return { id: first("id"), created: first("created"), model: first("model"), system_fingerprint: first("system_fingerprint") };
}

/** Usage comes once, in the last chunk before [DONE]; an error may replace the rest of a stream. */
function lastUsageAndError(chunks: JsonObject[]): JsonObject {
  const usage = chunks.findLast((chunk) => isJsonObject(chunk.usage))?.usage;
  const error = chunks.findLast((chunk) => isJsonObject(chunk.error))?.error;
  return { ...(usage ? { usage } : {}), ...(error ? { error } : {}) };
}

/**
 * Every lifecycle event of a Responses API stream carries the whole `response`; the terminal one
 * (completed, incomplete, failed) carries its output and usage. A stream cut off before that
 * keeps the latest snapshot, with the text deltas that arrived as its one output message.
 */
function assembleResponse(events: SseJsonEvent[]): JsonObject | null {
  let snapshot: JsonObject | null = null;
  let text = "";
  for (const { data } of events) {
    if (isJsonObject(data.response)) snapshot = data.response;
    if (data.type === "response.output_text.delta") text += stringField(data, "delta") ?? "";
  }
  if (!snapshot || arrayField(snapshot, "output").length > 0 || text === "") return snapshot;
  return {
    ...snapshot,
    output: [{ type: "message", role: "assistant", status: "incomplete", content: [{ type: "output_text", text, annotations: [] }] }],
  };
}

function sortedByIndex<T extends { index: number }>(drafts: Map<number, T>): T[] {
  return [...drafts.values()].sort((a, b) => a.index - b.index);
}
