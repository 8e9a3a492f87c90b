/**
 * How deeply JSON we accept and re-serialize may nest. JSON.parse copes with any depth, but
 * JSON.stringify, the token counter and the dashboard's JSON view recurse, and a few thousand
 * levels overflow the stack: a 200-byte body like `[[[[…]]]]` would fail its request with a 500
 * (or, on the proxy path, lose its log). Real payloads (tool schemas, agent messages) stay far
 * below this limit.
 */
export const MAX_JSON_NESTING = 256;

type PathPart = string | number;

interface Frame {
  value: unknown;
  depth: number;
  key: PathPart | null;
  parent: Frame | null;
}

/**
 * The path to the first array or object that sits deeper than `limit` levels (the top value is
 * level 1), or null when none does. Walks without recursion, so the check itself cannot overflow
 * the stack, and stops at the first offender.
 */
export function pathPastNestingLimit(value: unknown, limit = MAX_JSON_NESTING): PathPart[] | null {
  const stack: Frame[] = [{ value, depth: 1, key: null, parent: null }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.value === null || typeof frame.value !== "object") continue;
    if (frame.depth > limit) return pathOf(frame);
    const entries: Array<[PathPart, unknown]> = Array.isArray(frame.value) ? frame.value.map((item, index) => [index, item]) : Object.entries(frame.value);
    for (const [key, child] of entries) {
      if (child !== null && typeof child === "object") stack.push({ value: child, depth: frame.depth + 1, key, parent: frame });
    }
  }
  return null;
}

function pathOf(frame: Frame): PathPart[] {
  const path: PathPart[] = [];
  for (let at: Frame | null = frame; at?.key != null; at = at.parent) path.push(at.key);
  return path.reverse();
}

/** JSON.parse, but text nested past the limit stays text (it could not be stored or shown as JSON). */
export function parseJsonWithinNesting(text: string, limit = MAX_JSON_NESTING): { ok: true; value: unknown } | { ok: false } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false };
  }
  return pathPastNestingLimit(value, limit) === null ? { ok: true, value } : { ok: false };
}
