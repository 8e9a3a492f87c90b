import { METRICS_PLAIN_DIMENSIONS, type MetricsPlainDimension } from "../../contracts/metrics";
import type { MetricsRecord } from "./metrics-aggregate";

/**
 * What metrics can be grouped by (`groupBy=`, `by=`): a request field, or one property's values
 * (`property.<key>`, the key matched case-insensitively, as the Requests page's filter does).
 */
export type Dimension = { kind: MetricsPlainDimension } | { kind: "property"; key: string };

/** A dimension's value; null for a request that has none (no user, no such property). */
export type GroupKey = string | null;

export type DimensionResult = { ok: true; dimension: Dimension } | { ok: false; reason: string };

const PROPERTY_PREFIX = "property.";

export function parseDimension(text: string): DimensionResult {
  if ((METRICS_PLAIN_DIMENSIONS as readonly string[]).includes(text)) return { ok: true, dimension: { kind: text as MetricsPlainDimension } };
  if (text.startsWith(PROPERTY_PREFIX) && text.length > PROPERTY_PREFIX.length) {
    return { ok: true, dimension: { kind: "property", key: text.slice(PROPERTY_PREFIX.length).toLowerCase() } };
  }
  return { ok: false, reason: `cannot group by "${text}": use ${METRICS_PLAIN_DIMENSIONS.join(", ")} or property.<key>` };
}

export function dimensionName(dimension: Dimension): string {
  return dimension.kind === "property" ? PROPERTY_PREFIX + dimension.key : dimension.kind;
}

export function dimensionValue(record: MetricsRecord, dimension: Dimension): GroupKey {
  switch (dimension.kind) {
    case "model":
      return record.model;
    case "provider":
      return record.provider;
    case "status":
      return String(record.status);
    case "userId":
      return record.userId;
    case "sessionId":
      return record.sessionId;
    case "property":
      return Object.hasOwn(record.properties, dimension.key) ? record.properties[dimension.key]! : null;
  }
}

/**
 * Keys in Unicode code point order (the same on every machine, unlike localeCompare, and the
 * order of the databases' binary collations, so a ranking the database cut with ORDER BY … LIMIT
 * agrees with this one), null last.
 */
export function compareGroupKeys(a: GroupKey, b: GroupKey): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/**
 * UTF-16 code units order as code points do except around surrogates: a surrogate (half of a
 * code point above U+FFFF) must sort after U+E000–U+FFFF, so at the first differing unit the
 * surrogates move up and the units above them down.
 */
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
