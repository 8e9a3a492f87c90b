import { readHeliconeContext, type HeliconeContext } from "../helicone-headers";
import { appendLangfuseProperties, LANGFUSE_SESSION_IDS, LANGFUSE_USER_IDS } from "./langfuse-attributes";
import type { AttributeValue, Attributes } from "./otlp-span";

/**
 * Helicone's headers, sent as span or resource attributes (span wins). Attribute names are
 * matched case-insensitively with `.`, `_` or `-` between words, so `helicone.node_id`,
 * `helicone.node.id` and `Helicone-Node-Id` are one name; after translation to the header names
 * the proxy reads, the same rules apply (node id limits, lower-cased property keys, length caps).
 * Without Helicone names, the common conventions fill session and user: `session.id`
 * (OpenInference, Langfuse), `gen_ai.conversation.id` (GenAI semconv), `user.id`, `enduser.id`,
 * and Langfuse's own names. Langfuse's trace and observation metadata, and its trace name, become
 * properties beneath any Helicone property of the same name.
 */
const HELICONE_NAME = /^helicone[._-](?:(node[._-]id|session[._-]id|session[._-]name|user[._-]id)|property[._-](.+))$/i;
const SESSION_KEYS = ["session.id", "gen_ai.conversation.id", ...LANGFUSE_SESSION_IDS];
const USER_KEYS = ["user.id", "enduser.id", ...LANGFUSE_USER_IDS];
const MAX_FIELD_LENGTH = 1024;

/**
 * What a resource contributes, read once for all its spans: its Helicone names as header pairs,
 * and its session and user ids from the common conventions.
 */
export interface ResourceHelicone {
  headers: ReadonlyArray<readonly [string, string]>;
  sessionId: string | null;
  userId: string | null;
}

export function readResourceHelicone(resource: Attributes): ResourceHelicone {
  return { headers: heliconeHeaders(resource, Object.keys(resource), []), sessionId: firstText(resource, SESSION_KEYS), userId: firstText(resource, USER_KEYS) };
}

/** `spanKeys`: the span attributes' own keys, when the caller has them already. */
export function readHeliconeAttributes(resource: ResourceHelicone, span: Attributes, spanKeys: readonly string[] = Object.keys(span)): HeliconeContext {
  // Later pairs win: the resource's Helicone names, Langfuse's, then the span's Helicone names.
  const headers = heliconeHeaders(span, spanKeys, appendLangfuseProperties(span, spanKeys, [...resource.headers]));
  // Most spans carry no Helicone names: no need to parse an empty header list for each of them.
  const helicone = headers.length > 0 ? readHeliconeContext(headers) : noHeliconeContext();
  helicone.sessionId ??= firstText(span, SESSION_KEYS) ?? resource.sessionId;
  helicone.userId ??= firstText(span, USER_KEYS) ?? resource.userId;
  return helicone;
}

/** Appends the attributes' Helicone names, as the header names the proxy reads, to `headers`. */
function heliconeHeaders(attributes: Attributes, keys: readonly string[], headers: Array<readonly [string, string]>): Array<readonly [string, string]> {
  for (const key of keys) {
    // Every Helicone name starts with an h: most keys are ruled out without the regex.
    if ((key.charCodeAt(0) | 0x20) !== 0x68) continue;
    const match = HELICONE_NAME.exec(key);
    if (!match) continue;
    const name = match[1] ? `helicone-${match[1].toLowerCase().replace(/[._]/g, "-")}` : `helicone-property-${match[2]}`;
    headers.push([name, asText(attributes[key]!)]);
  }
  return headers;
}

function noHeliconeContext(): HeliconeContext {
  return { traceId: null, nodeId: null, parentNodeId: null, traceError: null, nodeIdError: null, sessionId: null, sessionName: null, userId: null, properties: {} };
}

function firstText(attributes: Attributes, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    const text = asText(value).trim();
    if (text) return text.slice(0, MAX_FIELD_LENGTH);
  }
  return null;
}

function asText(value: AttributeValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
