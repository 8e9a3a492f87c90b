/**
 * Turns logged request and response bodies (OpenAI chat, completions, responses and embeddings;
 * Anthropic messages) into a plain list of messages, for display and for comparing two runs
 * (exchange-text.ts). Everything comes out as text: images become their URL or media type as
 * words, never something a browser would load. Returns null when neither body is in a shape it
 * knows; the raw JSON is shown instead.
 */
export type PartKind = "text" | "tool-call" | "tool-result" | "image" | "data";

export interface ConversationPart {
  kind: PartKind;
  text: string;
  /** tool name, image media type, … */
  label?: string;
}

export interface ConversationMessage {
  role: string;
  parts: ConversationPart[];
  /** which body it came from: the prompt or the model's answer */
  from: "request" | "response";
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const asText = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value, null, 2) ?? "");

export function toConversation(requestBody: unknown, responseBody: unknown): ConversationMessage[] | null {
  const prompt = requestMessages(requestBody);
  const answer = responseMessages(responseBody);
  if (prompt.length === 0 && answer.length === 0) return null;
  return [...prompt, ...answer];
}

export function requestMessages(body: unknown): ConversationMessage[] {
  if (!isObject(body)) return [];
  const messages: ConversationMessage[] = [];
  // Anthropic keeps the system prompt beside the messages.
  if (body.system !== undefined) messages.push({ role: "system", parts: contentParts(body.system), from: "request" });
  if (Array.isArray(body.messages)) {
    for (const message of body.messages) {
      if (!isObject(message)) continue;
      const parts = contentParts(message.content);
      if (Array.isArray(message.tool_calls)) parts.push(...message.tool_calls.map(toolCallPart));
      const role = typeof message.role === "string" ? message.role : "message";
      messages.push({ role: message.name && typeof message.name === "string" ? `${role} (${message.name})` : role, parts, from: "request" });
    }
  } else if (body.input !== undefined) {
    // OpenAI responses API (string or items) and embeddings (string or list of strings)
    if (typeof body.input === "string") messages.push({ role: "user", parts: [{ kind: "text", text: body.input }], from: "request" });
    else if (Array.isArray(body.input)) {
      for (const item of body.input) {
        if (typeof item === "string") messages.push({ role: "input", parts: [{ kind: "text", text: item }], from: "request" });
        else if (isObject(item)) messages.push({ role: typeof item.role === "string" ? item.role : String(item.type ?? "input"), parts: contentParts(item.content ?? item), from: "request" });
      }
    }
    if (typeof body.instructions === "string") messages.unshift({ role: "system", parts: [{ kind: "text", text: body.instructions }], from: "request" });
  } else if (body.prompt !== undefined) {
    messages.push({ role: "prompt", parts: [{ kind: "text", text: asText(body.prompt) }], from: "request" });
  }
  return messages;
}

export function responseMessages(body: unknown): ConversationMessage[] {
  if (!isObject(body)) return typeof body === "string" && body.length > 0 ? [{ role: "response", parts: [{ kind: "text", text: body }], from: "response" }] : [];
  if (isObject(body.error)) {
    return [{ role: "error", parts: [{ kind: "text", text: asText(body.error.message ?? body.error) }], from: "response" }];
  }
  // OpenAI chat completions and legacy completions
  if (Array.isArray(body.choices)) {
    return body.choices.filter(isObject).map((choice) => {
      const message = isObject(choice.message) ? choice.message : null;
      const parts = message ? contentParts(message.content) : contentParts(choice.text);
      if (message && Array.isArray(message.tool_calls)) parts.push(...message.tool_calls.map(toolCallPart));
      if (message && typeof message.refusal === "string") parts.push({ kind: "text", text: message.refusal, label: "refusal" });
      return { role: message && typeof message.role === "string" ? message.role : "assistant", parts, from: "response" as const };
    });
  }
  // Anthropic messages
  if (body.type === "message" && Array.isArray(body.content)) {
    return [{ role: typeof body.role === "string" ? body.role : "assistant", parts: contentParts(body.content), from: "response" }];
  }
  // OpenAI responses API
  if (Array.isArray(body.output)) {
    return body.output.filter(isObject).map((item) => ({
      role: typeof item.role === "string" ? item.role : String(item.type ?? "output"),
      parts: item.type === "function_call" ? [toolCallPart(item)] : contentParts(item.content ?? item.summary ?? item),
      from: "response" as const,
    }));
  }
  // Embeddings: the vectors themselves say nothing to a reader
  if (body.object === "list" && Array.isArray(body.data)) {
    const first = body.data.find(isObject);
    const dims = first && Array.isArray(first.embedding) ? first.embedding.length : null;
    return [{ role: "embedding", parts: [{ kind: "data", text: `${body.data.length} embedding${body.data.length === 1 ? "" : "s"}${dims ? ` × ${dims} dimensions` : ""}` }], from: "response" }];
  }
  return [];
}

function contentParts(content: unknown): ConversationPart[] {
  if (content === null || content === undefined) return [];
  if (typeof content === "string") return [{ kind: "text", text: content }];
  if (!Array.isArray(content)) return isObject(content) ? [blockPart(content)] : [{ kind: "text", text: asText(content) }];
  return content.map((block) => (isObject(block) ? blockPart(block) : { kind: "text" as const, text: asText(block) }));
}

function blockPart(block: Json): ConversationPart {
  switch (block.type) {
    case "text":
    case "input_text":
    case "output_text":
      return { kind: "text", text: asText(block.text) };
    case "image_url": {
      const image = isObject(block.image_url) ? block.image_url.url : block.image_url;
      return { kind: "image", text: describeImage(image) };
    }
    case "input_image":
      return { kind: "image", text: describeImage(block.image_url ?? block.file_id) };
    case "image": {
      const source = isObject(block.source) ? block.source : {};
      return { kind: "image", text: source.type === "url" ? asText(source.url) : `${asText(source.media_type ?? "image")} (inline data)`, label: "image" };
    }
    case "tool_use":
      return { kind: "tool-call", label: asText(block.name), text: asText(block.input) };
    case "tool_result":
      return { kind: "tool-result", label: asText(block.tool_use_id ?? ""), text: contentParts(block.content).map((p) => p.text).join("\n") };
    case "thinking":
      return { kind: "text", label: "thinking", text: asText(block.thinking) };
    default:
      return { kind: "data", label: typeof block.type === "string" ? block.type : undefined, text: asText(block) };
  }
}

function toolCallPart(call: unknown): ConversationPart {
  if (!isObject(call)) return { kind: "tool-call", text: asText(call) };
  const fn = isObject(call.function) ? call.function : call;
  const args = typeof fn.arguments === "string" ? prettyJson(fn.arguments) : asText(fn.arguments ?? fn.input ?? "");
  return { kind: "tool-call", label: asText(fn.name ?? "tool"), text: args };
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function describeImage(value: unknown): string {
  const text = asText(value);
  return text.startsWith("data:") ? `${text.slice(5, text.indexOf(";") > 0 ? text.indexOf(";") : 30)} (inline data)` : text;
}
