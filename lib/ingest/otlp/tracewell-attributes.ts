import { TRACEWELL_ATTRIBUTES as NAMES, TRACEWELL_ATTRIBUTE_PREFIX } from "../../contracts/otlp-export";
import type { RequestSource } from "../../domain/logged-request";
import type { AttributeValue, Attributes, OtlpSpan } from "./otlp-span";

/**
 * What a span exported by Tracewell carries beyond the conventions (lib/contracts/otlp-export.ts):
 * the logged request's fields that no convention names, read back so that an export imported
 * into any instance is the request it was. Each is optional and means one thing; other senders
 * may use them too.
 */
export interface TracewellFields {
  source: RequestSource | null;
  costUsd: number | null;
  latencyMs: number | null;
  timeToFirstTokenMs: number | null;
  cancelled: boolean;
  /** null: not given (tokens may then be estimated from the content, as for any span) */
  tokensEstimated: boolean | null;
  /** undefined: not given; null: given as empty, no body */
  requestBody: string | null | undefined;
  responseBody: string | null | undefined;
  virtual: boolean;
  /** a value of the wrong type or range: the span is refused, as for a bad token count */
  invalid: string | null;
}

const NONE: TracewellFields = {
  source: null,
  costUsd: null,
  latencyMs: null,
  timeToFirstTokenMs: null,
  cancelled: false,
  tokensEstimated: null,
  requestBody: undefined,
  responseBody: undefined,
  virtual: false,
  invalid: null,
};

const SOURCES: readonly RequestSource[] = ["proxy", "custom", "otel"];

/** `keys`: the attributes' own keys, read once per span. */
export function readTracewellFields(attributes: Attributes, keys: readonly string[]): TracewellFields {
  // Nearly every span comes from elsewhere and has none of these names.
  if (!keys.some(isTracewellKey)) return NONE;
  const problems: string[] = [];
  const source = attributes[NAMES.source];
  if (source !== undefined && !SOURCES.includes(source as RequestSource)) problems.push(`${NAMES.source} must be one of ${SOURCES.join(", ")}`);
  return {
    source: SOURCES.includes(source as RequestSource) ? (source as RequestSource) : null,
    costUsd: amount(attributes, NAMES.costUsd, problems),
    latencyMs: amount(attributes, NAMES.latencyMs, problems),
    timeToFirstTokenMs: amount(attributes, NAMES.timeToFirstTokenMs, problems),
    cancelled: flag(attributes, NAMES.cancelled, problems) ?? false,
    tokensEstimated: flag(attributes, NAMES.tokensEstimated, problems),
    requestBody: body(attributes, NAMES.requestBody, problems),
    responseBody: body(attributes, NAMES.responseBody, problems),
    virtual: flag(attributes, NAMES.virtual, problems) ?? false,
    invalid: problems.length > 0 ? problems.join("; ") : null,
  };
}

/** A node exported only for the tree's shape: ingest stores nothing of it. */
export function isVirtualSpan(span: OtlpSpan): boolean {
  return span.attributes[NAMES.virtual] === true;
}

function isTracewellKey(key: string): boolean {
  return key.charCodeAt(0) === 0x74 && key.startsWith(TRACEWELL_ATTRIBUTE_PREFIX);
}

/** A finite number ≥ 0 (a decimal string too: some SDKs send numbers as text). */
function amount(attributes: Attributes, key: string, problems: string[]): number | null {
  const value = attributes[key];
  if (value === undefined || value === null) return null;
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof number === "number" && Number.isFinite(number) && number >= 0) return number;
  problems.push(`${key} must be a number ≥ 0, not ${preview(value)}`);
  return null;
}

function flag(attributes: Attributes, key: string, problems: string[]): boolean | null {
  const value = attributes[key];
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return value;
  problems.push(`${key} must be true or false, not ${preview(value)}`);
  return null;
}

function body(attributes: Attributes, key: string, problems: string[]): string | null | undefined {
  if (!(key in attributes)) return undefined;
  const value = attributes[key];
  if (value === null || typeof value === "string") return value ?? null;
  problems.push(`${key} must be text (the body as logged)`);
  return undefined;
}

function preview(value: AttributeValue): string {
  return JSON.stringify(value).slice(0, 40);
}
