import { isUtf8 } from "node:buffer";
import { parseNodeId } from "../domain/node-id";

/**
 * Reads the seed's Helicone-* headers. Header names are case-insensitive, and most HTTP clients
 * (fetch, and so the openai and Anthropic SDKs) send them lower-cased, so property keys are
 * lower-cased too: `Helicone-Property-Step: planning` is the property `step`, as in Helicone.
 */
export interface HeliconeContext {
  traceId: string | null;
  nodeId: string | null;
  parentNodeId: string | null;
  /** why a given node id was ignored: the request is then logged untraced */
  traceError: string | null;
  /** the bare reason the node id is invalid (traceError without its framing) */
  nodeIdError: string | null;
  sessionId: string | null;
  sessionName: string | null;
  userId: string | null;
  properties: Record<string, string>;
}

const PROPERTY_PREFIX = "helicone-property-";
const MAX_PROPERTY_KEY_LENGTH = 128;
const MAX_PROPERTY_VALUE_LENGTH = 4096;
const MAX_FIELD_LENGTH = 1024;

/**
 * `headers` is a list of [name, value] pairs (node's rawHeaders pairs, or a custom log's `meta`
 * entries). Later duplicates win.
 */
export function readHeliconeContext(headers: Iterable<readonly [string, string]>): HeliconeContext {
  const fields = new Map<string, string>();
  // A Map, not an object literal: a property named `__proto__` or `constructor` is data too.
  const properties = new Map<string, string>();

  for (const [name, rawValue] of headers) {
    const lower = name.toLowerCase();
    if (!lower.startsWith("helicone-")) continue;
    const value = String(rawValue).trim();
    if (lower.startsWith(PROPERTY_PREFIX)) {
      const key = lower.slice(PROPERTY_PREFIX.length);
      if (key.length === 0 || key.length > MAX_PROPERTY_KEY_LENGTH) continue;
      properties.set(key, value.slice(0, MAX_PROPERTY_VALUE_LENGTH));
    } else {
      fields.set(lower, value);
    }
  }

  const field = (name: string) => {
    const value = fields.get(name);
    return value ? value.slice(0, MAX_FIELD_LENGTH) : null;
  };
  const rawNodeId = fields.get("helicone-node-id");
  let trace = { traceId: null, nodeId: null, parentNodeId: null, traceError: null, nodeIdError: null } as Pick<
    HeliconeContext,
    "traceId" | "nodeId" | "parentNodeId" | "traceError" | "nodeIdError"
  >;
  if (rawNodeId !== undefined) {
    const parsed = parseNodeId(rawNodeId);
    trace = parsed.ok
      ? { traceId: parsed.traceId, nodeId: parsed.nodeId, parentNodeId: parsed.parentNodeId, traceError: null, nodeIdError: null }
      : {
          traceId: null,
          nodeId: null,
          parentNodeId: null,
          traceError: `Helicone-Node-Id ignored: ${parsed.reason}`,
          nodeIdError: parsed.reason,
        };
  }

  return {
    traceId: trace.traceId,
    nodeId: trace.nodeId,
    parentNodeId: trace.parentNodeId,
    traceError: trace.traceError,
    nodeIdError: trace.nodeIdError,
    sessionId: field("helicone-session-id"),
    sessionName: field("helicone-session-name"),
    userId: field("helicone-user-id"),
    // fromEntries defines own properties, so even `__proto__` lands as a plain key.
    properties: Object.fromEntries(properties),
  };
}

/**
 * Pairs [name, value] from node's flat rawHeaders array, in the caller's spelling. Node reads
 * header bytes as Latin-1, so a UTF-8 value (`Helicone-Node-Id: エージェント:計画` from Go,
 * curl, or Python given bytes) arrives as mojibake, some of it C1 control characters. Values
 * whose bytes are valid UTF-8 are decoded as such; any other value keeps its Latin-1 reading,
 * which is what fetch, node:http and Python's http.client send for text up to U+00FF.
 */
export function rawHeaderPairs(rawHeaders: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) pairs.push([rawHeaders[i]!, headerText(rawHeaders[i + 1]!)]);
  return pairs;
}

const NON_ASCII = /[\u0080-\u00ff]/;

function headerText(latin1: string): string {
  if (!NON_ASCII.test(latin1)) return latin1;
  const bytes = Buffer.from(latin1, "latin1");
  return isUtf8(bytes) ? bytes.toString("utf8") : latin1;
}
