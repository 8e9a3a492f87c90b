/**
 * Helicone node ids: `root:child:grandchild`. The node sits at that full path, its parent is the
 * path without the last segment, and the trace id is the first segment.
 *
 * Limits are generous (an agent 100 levels deep still fits) but bounded, so that one bad header
 * can neither blow up a tree nor the storage: see NODE_ID_LIMITS. An invalid id never fails the
 * caller's LLM call; the proxy logs the request untraced with the reason returned here.
 */
export const NODE_ID_LIMITS = {
  maxSegments: 256,
  maxSegmentLength: 256,
  maxLength: 4096,
} as const;

export const NODE_ID_SEPARATOR = ":";

export type ParsedNodeId =
  | { ok: true; nodeId: string; traceId: string; parentNodeId: string | null; depth: number }
  | { ok: false; reason: string };

// C0 controls, DEL and C1 controls: they corrupt logs and terminals, and never appear in real ids.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
// A UTF-16 half without its other half: no UTF-8 can encode it, so storage would turn it into
// U+FFFD and the stored id would no longer be the one its children name.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function parseNodeId(raw: string): ParsedNodeId {
  const nodeId = raw.trim();
  if (nodeId.length === 0) return { ok: false, reason: "node id is empty" };
  if (nodeId.length > NODE_ID_LIMITS.maxLength) {
    return { ok: false, reason: `node id is ${nodeId.length} characters long; the limit is ${NODE_ID_LIMITS.maxLength}` };
  }
  const control = CONTROL_CHARACTER.exec(nodeId);
  if (control) {
    return { ok: false, reason: `node id contains control characters (${codePointName(control[0])} at character ${control.index + 1})` };
  }
  const surrogate = LONE_SURROGATE.exec(nodeId);
  if (surrogate) {
    return { ok: false, reason: `node id is not valid Unicode: lone surrogate ${codePointName(surrogate[0])} at character ${surrogate.index + 1}` };
  }
  const segments = nodeId.split(NODE_ID_SEPARATOR);
  if (segments.length > NODE_ID_LIMITS.maxSegments) {
    return { ok: false, reason: `node id has ${segments.length} levels; the limit is ${NODE_ID_LIMITS.maxSegments}` };
  }
  const emptyAt = segments.findIndex((segment) => segment.length === 0);
  if (emptyAt !== -1) {
    return { ok: false, reason: `node id has an empty segment at position ${emptyAt + 1} (ids look like parent:child)` };
  }
  const longAt = segments.findIndex((segment) => segment.length > NODE_ID_LIMITS.maxSegmentLength);
  if (longAt !== -1) {
    return {
      ok: false,
      reason: `node id segment ${longAt + 1} is longer than ${NODE_ID_LIMITS.maxSegmentLength} characters`,
    };
  }
  return {
    ok: true,
    nodeId,
    traceId: segments[0]!,
    parentNodeId: segments.length > 1 ? segments.slice(0, -1).join(NODE_ID_SEPARATOR) : null,
    depth: segments.length,
  };
}

/** `U+000A`: names a character the reader cannot see. */
function codePointName(character: string): string {
  return `U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * The parent a node id implies by itself: the path prefix for `a:b:c`, nothing for a plain id
 * (a root path segment, or an OTEL span id whose parent is only known from its span).
 */
export function impliedParentOf(nodeId: string): string | null {
  const cut = nodeId.lastIndexOf(NODE_ID_SEPARATOR);
  return cut === -1 ? null : nodeId.slice(0, cut);
}
