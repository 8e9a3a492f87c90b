import { requestMessages, responseMessages, type ConversationMessage, type ConversationPart } from "./conversation";

/**
 * A logged request's prompt and answer as plain text: what comparing two traces diffs, and what
 * decides whether a node's content changed. Only what the model was asked and what it answered
 * counts: the envelope around it (a completion's id and creation time, an OTLP span's ids and
 * times) differs on every run and would make every node look changed.
 *
 * - OpenAI and Anthropic bodies read as their messages (lib/domain/conversation.ts), one block
 *   per message: `role:` on its own line, then its text.
 * - An OTLP span's stored body is `{ input, attributes, … }` / `{ output }`: only input and output.
 * - Anything else (custom-logged tools, unknown providers) is its JSON, as stored.
 */
export interface ExchangeText {
  prompt: string;
  answer: string;
}

export function exchangeText(source: string, requestBody: unknown, responseBody: unknown): ExchangeText {
  if (source === "otel") {
    return {
      prompt: contentText(fieldOf(requestBody, "input"), (input) => requestMessages({ input })),
      answer: contentText(fieldOf(responseBody, "output"), (output) => responseMessages({ output })),
    };
  }
  return { prompt: bodyText(requestBody, requestMessages), answer: bodyText(responseBody, responseMessages) };
}

type Reader = (body: unknown) => ConversationMessage[];

function bodyText(body: unknown, read: Reader): string {
  const messages = read(body);
  return messages.length > 0 ? messagesText(messages) : plainText(body);
}

/** A span's input or output: messages when it holds some (a string or a list), else its text. */
function contentText(content: unknown, read: Reader): string {
  if (content === undefined || content === null) return "";
  const messages = read(content);
  return messages.length > 0 ? messagesText(messages) : plainText(content);
}

function fieldOf(body: unknown, key: string): unknown {
  return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)[key] : undefined;
}

function plainText(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function messagesText(messages: readonly ConversationMessage[]): string {
  return messages.map((message) => `${message.role}:\n${message.parts.map(partText).join("\n")}`).join("\n\n");
}

function partText(part: ConversationPart): string {
  switch (part.kind) {
    case "text":
      return part.label ? `[${part.label}] ${part.text}` : part.text;
    case "tool-call":
      return `[tool call${part.label ? `: ${part.label}` : ""}] ${part.text}`;
    case "tool-result":
      return `[tool result${part.label ? `: ${part.label}` : ""}] ${part.text}`;
    case "image":
      return `[image] ${part.text}`;
    case "data":
      return part.label ? `[${part.label}] ${part.text}` : part.text;
  }
}
