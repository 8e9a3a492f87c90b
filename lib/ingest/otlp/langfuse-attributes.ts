import { TRACE_NAME_PROPERTY } from "../../contracts/trace";
import type { BillableUsage } from "../../domain/cost";
import { roundUsd } from "../../domain/money";
import { parseJsonWithinNesting } from "../../shared/json-nesting";
import { isTokenCount, MAX_TOKEN_COUNT } from "../token-count";
import type { AttributeValue, Attributes } from "./otlp-span";

/**
 * Langfuse's own span attributes, as its OpenTelemetry-based SDKs (JS ≥ 4 with
 * `LangfuseSpanProcessor`, Python ≥ 3) write them on every observation: its type, model, usage and
 * cost (JSON objects), input and output (JSON text), level and status message, and the trace's
 * name and metadata (`langfuse.trace.metadata.<key>`, set on each span under the trace). The
 * names are @langfuse/core's `LangfuseOtelSpanAttributes`. The trace's session and user are the
 * common `session.id` and `user.id` (helicone-attributes.ts reads those, and the
 * `langfuse.session.id` / `langfuse.user.id` older SDKs send).
 */
export const LANGFUSE_MODEL = "langfuse.observation.model.name";
export const LANGFUSE_INPUT = "langfuse.observation.input";
export const LANGFUSE_OUTPUT = "langfuse.observation.output";
export const LANGFUSE_SESSION_IDS = ["langfuse.session.id", "langfuse.trace.metadata.langfuse_session_id"];
export const LANGFUSE_USER_IDS = ["langfuse.user.id", "langfuse.trace.metadata.langfuse_user_id"];

const TYPE = "langfuse.observation.type";
const LEVEL = "langfuse.observation.level";
const STATUS_MESSAGE = "langfuse.observation.status_message";
const COMPLETION_START_TIME = "langfuse.observation.completion_start_time";
const USAGE_DETAILS = "langfuse.observation.usage_details";
const COST_DETAILS = "langfuse.observation.cost_details";
const TRACE_NAME = "langfuse.trace.name";
const TRACE_METADATA = "langfuse.trace.metadata";
const OBSERVATION_METADATA = "langfuse.observation.metadata";

/** What makes an observation a node: its kind, and whether it failed. */
export interface LangfuseObservation {
  /** the observation type upper-cased as Langfuse shows it ("GENERATION", "TOOL"…); null: none */
  kind: string | null;
  /** level ERROR: the observation failed, whatever the span's status */
  failed: boolean;
  statusMessage: string | null;
  /** epoch ms the first token came (completion_start_time); null when not given */
  completionStartMs: number | null;
}

const KIND = /^[a-z][a-z_-]{0,31}$/i;

export function readLangfuseObservation(attributes: Attributes): LangfuseObservation {
  const type = attributes[TYPE];
  const level = attributes[LEVEL];
  const statusMessage = attributes[STATUS_MESSAGE];
  return {
    kind: typeof type === "string" && KIND.test(type) ? type.toUpperCase() : null,
    failed: typeof level === "string" && level.toUpperCase() === "ERROR",
    statusMessage: typeof statusMessage === "string" && statusMessage.trim() !== "" ? statusMessage.trim() : null,
    completionStartMs: timeAt(attributes[COMPLETION_START_TIME]),
  };
}

/** The SDK writes the date JSON-serialized (`"\"2025-…Z\""`); a bare ISO string is taken too. */
function timeAt(value: AttributeValue | undefined): number | null {
  if (typeof value !== "string") return null;
  const text = value.startsWith('"') ? value.slice(1, -1) : value;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

export type Counted<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * `usage_details`, as Langfuse reads it, in the token columns; undefined when the span has none.
 * Langfuse's usage types are named freely and exclude each other (they sum to the total): every
 * type whose name mentions input, prompt or cache is input, every one mentioning output or
 * completion is output, `total` is the total (else the sum of all). So `{input, output, total}`,
 * Anthropic's `{input_tokens, cache_read_input_tokens, cache_creation_input_tokens, …}` and
 * Langfuse's `{input, input_cached_tokens, output, output_reasoning_tokens}` all count every
 * input token once. OpenAI's usage objects are taken as they are: their `*_tokens_details` are
 * parts of the count beside them (cached tokens among the prompt tokens), never added to it. The
 * camelCase `promptTokens`/`completionTokens`/`totalTokens` of Langfuse's older SDKs read alike.
 * A count that is not a whole number the database can hold refuses the span, as other token
 * counts do; text values (`unit: "TOKENS"`) are not counts and are skipped.
 */
export function readLangfuseUsage(attributes: Attributes): Counted<BillableUsage> | undefined {
  const details = jsonObjectAt(attributes, USAGE_DETAILS);
  if (details === undefined) return undefined;
  if (details === null) return { ok: false, reason: `${USAGE_DETAILS} must be a JSON object of token counts` };

  const sums = { input: null as number | null, output: null as number | null, cacheRead: null as number | null, cacheWrite: null as number | null };
  let total: number | null = null;
  let all: number | null = null;
  const add = (sum: number | null, count: number) => (sum ?? 0) + count;
  for (const [key, value] of Object.entries(details)) {
    const name = key.toLowerCase();
    if (isPlainObject(value)) {
      // `prompt_tokens_details: { cached_tokens }`: part of the prompt tokens already counted.
      if (!/input|prompt/.test(name)) continue;
      for (const [part, count] of Object.entries(value)) {
        if (!/cache/i.test(part) || typeof count !== "number") continue;
        if (!isTokenCount(count)) return invalidCount(`${key}.${part}`, count);
        if (/creat|write/i.test(part)) sums.cacheWrite = add(sums.cacheWrite, count);
        else sums.cacheRead = add(sums.cacheRead, count);
      }
      continue;
    }
    if (typeof value !== "number") continue;
    if (!isTokenCount(value)) return invalidCount(key, value);
    if (/^total(_?tokens)?$/.test(name)) {
      total = value;
      continue;
    }
    all = add(all, value);
    if (name.includes("cache")) {
      sums.input = add(sums.input, value);
      if (/creat|write/.test(name)) sums.cacheWrite = add(sums.cacheWrite, value);
      else sums.cacheRead = add(sums.cacheRead, value);
    } else if (/input|prompt/.test(name)) sums.input = add(sums.input, value);
    else if (/output|completion/.test(name)) sums.output = add(sums.output, value);
  }
  const totalTokens = total ?? all;
  for (const [what, count] of [["input", sums.input], ["output", sums.output], ["total", totalTokens]] as const) {
    if (count !== null && count > MAX_TOKEN_COUNT) return invalidCount(`the ${what} (summed)`, count);
  }
  return {
    ok: true,
    value: { promptTokens: sums.input, completionTokens: sums.output, cachedTokens: sums.cacheRead, cacheWriteTokens: sums.cacheWrite, totalTokens },
  };
}

/**
 * `cost_details` in USD as the sender gave it: `total` (or `totalCost`, as Langfuse's JS SDK
 * documents it), else the sum of its parts, as Langfuse does; undefined when the span gives no
 * cost (it is then priced from the table). Text values (`currency: "USD"`) are skipped; a cost
 * that is not a finite amount ≥ 0 refuses the span.
 */
export function readLangfuseCost(attributes: Attributes): Counted<number> | undefined {
  const details = jsonObjectAt(attributes, COST_DETAILS);
  if (details === undefined) return undefined;
  if (details === null) return { ok: false, reason: `${COST_DETAILS} must be a JSON object of USD amounts` };
  let total: number | null = null;
  let sum: number | null = null;
  for (const [key, value] of Object.entries(details)) {
    if (typeof value !== "number") continue;
    if (!Number.isFinite(value) || value < 0) return { ok: false, reason: `${COST_DETAILS}.${key} must be an amount in USD ≥ 0, not ${value}` };
    if (key === "total" || key === "totalCost") total = value;
    else sum = (sum ?? 0) + value;
  }
  if (total !== null) return { ok: true, value: total };
  return sum === null ? undefined : { ok: true, value: roundUsd(sum) };
}

/**
 * Appends the trace's and the observation's metadata, and the trace's name, to `headers` as
 * `helicone-property-<key>` pairs, so that they become properties by the proxy's rules (keys
 * lower-cased, lengths capped; a later pair wins): trace metadata first, then the observation's
 * (it wins on a shared key), then the trace name as `trace_name`. A metadata value that is not
 * text is stored as its JSON.
 */
export function appendLangfuseProperties(attributes: Attributes, keys: readonly string[], headers: Array<readonly [string, string]>): Array<readonly [string, string]> {
  // Most spans carry no Langfuse names: every one of them starts with "langfuse.".
  if (!keys.some(isLangfuseKey)) return headers;
  appendMetadata(attributes, keys, TRACE_METADATA, headers);
  appendMetadata(attributes, keys, OBSERVATION_METADATA, headers);
  const traceName = attributes[TRACE_NAME];
  if (typeof traceName === "string" && traceName.trim() !== "") headers.push([`helicone-property-${TRACE_NAME_PROPERTY}`, traceName]);
  return headers;
}

/** `<prefix>` as one JSON object (its entries), then `<prefix>.<key>` each, which win. */
function appendMetadata(attributes: Attributes, keys: readonly string[], prefix: string, headers: Array<readonly [string, string]>): void {
  const whole = jsonObjectAt(attributes, prefix);
  if (whole) for (const [key, value] of Object.entries(whole)) pushProperty(headers, key, value as AttributeValue);
  const dotted = `${prefix}.`;
  for (const key of keys) if (key.startsWith(dotted)) pushProperty(headers, key.slice(dotted.length), attributes[key]!);
}

function pushProperty(headers: Array<readonly [string, string]>, key: string, value: AttributeValue): void {
  if (value === null || key === "") return;
  headers.push([`helicone-property-${key}`, typeof value === "string" ? value : JSON.stringify(value)]);
}

function isLangfuseKey(key: string): boolean {
  return key.charCodeAt(0) === 0x6c && key.startsWith("langfuse.");
}

/**
 * The attribute as a JSON object: the SDKs send JSON text, an OTLP kvlist arrives as an object
 * already. undefined: absent or empty; null: present but not an object.
 */
function jsonObjectAt(attributes: Attributes, key: string): Record<string, unknown> | null | undefined {
  const value = attributes[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (isPlainObject(value)) return value;
  if (typeof value !== "string") return null;
  const parsed = parseJsonWithinNesting(value);
  return parsed.ok && isPlainObject(parsed.value) ? parsed.value : null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function invalidCount(key: string, value: unknown): { ok: false; reason: string } {
  return { ok: false, reason: `${USAGE_DETAILS}: ${key} must be a whole number from 0 to ${MAX_TOKEN_COUNT}, not ${String(value).slice(0, 40)}` };
}
