import { readHeliconeContext, type HeliconeContext } from "../helicone-headers";
import type { AttributeValue, Attributes } from "./otlp-span";

/**
 * Helicone's headers, sent as span or resource attributes (span wins). Attribute names are
 * matched case-insensitively with `.`, `_` or `-` between words, so `helicone.node_id`,
 * `helicone.node.id` and `Helicone-Node-Id` are one name; after translation to the header names
 * the proxy reads, the same rules apply (node id limits, lower-cased property keys, length caps).
 * Without Helicone names, the common conventions fill session and user: `session.id`
 * (OpenInference), `gen_ai.conversation.id` (GenAI semconv), `user.id`, `enduser.id`.
 */
const HELICONE_NAME = /^helicone[._-](?:(node[._-]id|session[._-]id|session[._-]name|user[._-]id)|property[._-](.+))$/i;
const SESSION_KEYS = ["session.id", "gen_ai.conversation.id"];
const USER_KEYS = ["user.id", "enduser.id"];
const MAX_FIELD_LENGTH = 1024;

export function readHeliconeAttributes(resource: Attributes, span: Attributes): HeliconeContext {
  const headers: Array<[string, string]> = [];
  for (const attributes of [resource, span]) {
    for (const key in attributes) {
      const match = HELICONE_NAME.exec(key);
      if (!match) continue;
      const name = match[1] ? `helicone-${match[1].toLowerCase().replace(/[._]/g, "-")}` : `helicone-property-${match[2]}`;
      headers.push([name, asText(attributes[key]!)]);
    }
  }
  // Most spans carry no Helicone names: no need to parse an empty header list for each of them.
  const helicone = headers.length > 0 ? readHeliconeContext(headers) : noHeliconeContext();
  helicone.sessionId ??= firstText([span, resource], SESSION_KEYS);
  helicone.userId ??= firstText([span, resource], USER_KEYS);
  return helicone;
}

function noHeliconeContext(): HeliconeContext {
  return { traceId: null, nodeId: null, parentNodeId: null, traceError: null, nodeIdError: null, sessionId: null, sessionName: null, userId: null, properties: {} };
}

function firstText(sources: Attributes[], keys: string[]): string | null {
  for (const attributes of sources) {
    for (const key of keys) {
      const value = attributes[key];
      if (value === undefined || value === null) continue;
      const text = asText(value).trim();
      if (text) return text.slice(0, MAX_FIELD_LENGTH);
    }
  }
  return null;
}

function asText(value: AttributeValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
