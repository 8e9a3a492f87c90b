import { parseJsonWithinNesting } from "../../shared/json-nesting";
import { LANGFUSE_INPUT, LANGFUSE_OUTPUT } from "./langfuse-attributes";
import type { AttributeValue, Attributes, OtlpEvent } from "./otlp-span";

/**
 * A span's prompt (input) and completion (output), wherever its instrumentation put them. The
 * first source found wins, in the order of the lists below; what it was read from is reported so
 * the stored attributes do not repeat a long prompt.
 */
export interface SpanContent {
  /** undefined when the span carries none */
  input: unknown;
  output: unknown;
  consumedKeys: ReadonlySet<string>;
  consumedEvents: ReadonlySet<number>;
}

interface Found {
  value: unknown;
  keys?: string[];
  eventIndexes?: number[];
}

/** `keys` are the attributes' own keys, read once per span (enumerating a null-prototype object is not free). */
type Source = (attributes: Attributes, events: readonly OtlpEvent[], keys: readonly string[]) => Found | null;

const INPUT_SOURCES: Source[] = [
  jsonAttribute(LANGFUSE_INPUT), // Langfuse SDKs: what the observation was given, JSON
  jsonAttribute("gen_ai.input.messages"), // GenAI semconv ≥ 1.37
  indexedMessages("gen_ai.prompt."), // OpenLLMetry: gen_ai.prompt.0.role / .content
  indexedMessages("llm.input_messages.", "message."), // OpenInference
  jsonAttribute("ai.prompt.messages"), // Vercel AI SDK provider call
  jsonAttribute("ai.prompt"), // Vercel AI SDK operation
  jsonAttribute("input.value"), // OpenInference, any span kind
  jsonAttribute("gen_ai.prompt"),
  eventAttribute("gen_ai.content.prompt", "gen_ai.prompt"), // GenAI semconv ≤ 1.27 events
  messageEvents(["gen_ai.system.message", "gen_ai.user.message", "gen_ai.assistant.message", "gen_ai.tool.message"]),
];

const OUTPUT_SOURCES: Source[] = [
  jsonAttribute(LANGFUSE_OUTPUT),
  jsonAttribute("gen_ai.output.messages"),
  indexedMessages("gen_ai.completion."),
  indexedMessages("llm.output_messages.", "message."),
  vercelResponse,
  jsonAttribute("output.value"),
  jsonAttribute("gen_ai.completion"),
  eventAttribute("gen_ai.content.completion", "gen_ai.completion"),
  messageEvents(["gen_ai.choice"]),
];

// Shared by spans that carry no content: read-only, so one instance serves all.
const NOTHING_CONSUMED: ReadonlySet<never> = new Set<never>();

export function readSpanContent(attributes: Attributes, events: readonly OtlpEvent[], keys: readonly string[] = Object.keys(attributes)): SpanContent {
  const input = firstFound(INPUT_SOURCES, attributes, events, keys);
  const output = firstFound(OUTPUT_SOURCES, attributes, events, keys);
  let consumedKeys: Set<string> | null = null;
  let consumedEvents: Set<number> | null = null;
  for (const found of [input, output]) {
    for (const key of found?.keys ?? []) (consumedKeys ??= new Set()).add(key);
    for (const index of found?.eventIndexes ?? []) (consumedEvents ??= new Set()).add(index);
  }
  return {
    input: input?.value,
    output: output?.value,
    consumedKeys: consumedKeys ?? NOTHING_CONSUMED,
    consumedEvents: consumedEvents ?? NOTHING_CONSUMED,
  };
}

function firstFound(sources: readonly Source[], attributes: Attributes, events: readonly OtlpEvent[], keys: readonly string[]): Found | null {
  for (const source of sources) {
    const found = source(attributes, events, keys);
    if (found) return found;
  }
  return null;
}

/** An attribute holding messages or text; JSON text is parsed so the stored body nests it. */
function jsonAttribute(key: string): Source {
  return (attributes) => {
    const value = attributes[key];
    return value === undefined || value === null || value === "" ? null : { value: parseIfJson(value), keys: [key] };
  };
}

const INDEXED_FIELD = /^(\d{1,6})\.(.+)$/;

/**
 * Messages flattened into indexed attributes, `<prefix>0.role`, `<prefix>0.content`,
 * `<prefix>1.tool_calls.0.name`: one object per index, in index order, keyed by the rest of the
 * name (with `strip` removed: OpenInference nests each under `message.`).
 */
function indexedMessages(prefix: string, strip = ""): Source {
  return (attributes, _, attributeKeys) => {
    // Allocated at the first match: most spans have no such keys.
    let byIndex: Map<number, Record<string, AttributeValue>> | null = null;
    const keys: string[] = [];
    for (const key of attributeKeys) {
      if (!key.startsWith(prefix)) continue;
      const match = INDEXED_FIELD.exec(key.slice(prefix.length));
      if (!match) continue;
      const index = Number(match[1]);
      const field = match[2]!.startsWith(strip) ? match[2]!.slice(strip.length) : match[2]!;
      byIndex ??= new Map();
      let message = byIndex.get(index);
      if (!message) byIndex.set(index, (message = Object.create(null) as Record<string, AttributeValue>));
      message[field] = attributes[key]!;
      keys.push(key);
    }
    if (byIndex === null) return null;
    return { value: [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, message]) => message), keys };
  };
}

function eventAttribute(eventName: string, key: string): Source {
  return (_, events) => {
    const index = events.findIndex((event) => event.name === eventName && event.attributes[key] != null);
    return index === -1 ? null : { value: parseIfJson(events[index]!.attributes[key]!), eventIndexes: [index] };
  };
}

/** One message per event, its role from the event name (`gen_ai.user.message` → user). */
function messageEvents(eventNames: string[]): Source {
  return (_, events) => {
    const messages: unknown[] = [];
    const eventIndexes: number[] = [];
    events.forEach((event, index) => {
      if (!eventNames.includes(event.name)) return;
      const role = /^gen_ai\.(\w+)\.message$/.exec(event.name)?.[1];
      const fields = Object.fromEntries(Object.entries(event.attributes).map(([name, value]) => [name, parseIfJson(value)]));
      messages.push(role ? { role, ...fields } : fields);
      eventIndexes.push(index);
    });
    return messages.length === 0 ? null : { value: messages, eventIndexes };
  };
}

/** Vercel AI SDK: the text, structured object and tool calls a call produced. */
function vercelResponse(attributes: Attributes): Found | null {
  const fields = { text: "ai.response.text", object: "ai.response.object", toolCalls: "ai.response.toolCalls" };
  const output: Record<string, unknown> = {};
  const keys: string[] = [];
  for (const [name, key] of Object.entries(fields)) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    output[name] = parseIfJson(value);
    keys.push(key);
  }
  return keys.length === 0 ? null : { value: output, keys };
}

/** JSON text nested too deeply to store as JSON stays the text it came as. */
function parseIfJson(value: AttributeValue): unknown {
  if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return value;
  const parsed = parseJsonWithinNesting(value);
  return parsed.ok ? parsed.value : value;
}
