import { ALL_REQUESTS_FACET, propertyFacet } from "../domain/insights/rollup-changes";
import { databaseKind, getDb } from "./db";
import { rollupsBuilt } from "./metrics-rollup-reads";
import { SqlParameters } from "./request-filter";

/**
 * The filter suggestions count requests per property key, value or model. Over a million
 * requests the plain read took seconds (a GROUP BY over every property row), so once the Insights
 * rollups are built their day rows answer instead: they hold every request once per facet, with
 * the count. Most used first, ties in key order.
 */
async function countsFromRollups(
  organizationId: string,
  /** the grouped column, and the facet rows it is read from */
  of: { column: "facet" | "facetValue" | "model"; facet: string } | { column: "facet"; facetPrefix: string },
  limit: number,
  valuePrefix?: string,
): Promise<Array<{ value: string; count: number }> | null> {
  if (!(await rollupsBuilt())) return null;
  const params = new SqlParameters(databaseKind());
  const conditions = [`"organizationId" = ${params.add(organizationId)}`, `"span" = 24`];
  if ("facetPrefix" in of) conditions.push(`substr("facet", 1, ${of.facetPrefix.length}) = ${params.add(of.facetPrefix)}`);
  else conditions.push(`"facet" = ${params.add(of.facet)}`);
  if (of.column === "model") conditions.push(`"model" IS NOT NULL`);
  // substr rather than LIKE: a prefix holding % or _ matches only itself.
  if (valuePrefix) conditions.push(`substr("facetValue", 1, ${valuePrefix.length}) = ${params.add(valuePrefix)}`);
  const rows = await getDb().$queryRawUnsafe<Array<{ value: string; count: bigint | number }>>(
    `SELECT "${of.column}" AS "value", SUM("requests") AS "count" FROM "MetricsRollup" WHERE ${conditions.join(" AND ")}
     GROUP BY "${of.column}" ORDER BY 2 DESC, 1 LIMIT ${Math.trunc(limit)}`,
    ...params.values,
  );
  return rows.map((row) => ({ value: row.value, count: Number(row.count) }));
}

const PROPERTY_FACET_PREFIX = propertyFacet("");

/** Property keys this organization has logged, most used first. */
export async function findPropertyKeys(organizationId: string, limit: number): Promise<Array<{ key: string; count: number }>> {
  const kept = await countsFromRollups(organizationId, { column: "facet", facetPrefix: PROPERTY_FACET_PREFIX }, limit);
  if (kept) return kept.map(({ value, count }) => ({ key: value.slice(PROPERTY_FACET_PREFIX.length), count }));
  const rows = await getDb().requestProperty.groupBy({
    by: ["key"],
    where: { organizationId },
    _count: { _all: true },
    orderBy: { _count: { key: "desc" } },
    take: limit,
  });
  return rows.map((row) => ({ key: row.key, count: row._count._all }));
}

/** Values logged for one key (optionally starting with `prefix`), most used first. */
export async function findPropertyValues(
  organizationId: string,
  key: string,
  prefix: string | undefined,
  limit: number,
): Promise<Array<{ value: string; count: number }>> {
  const kept = await countsFromRollups(organizationId, { column: "facetValue", facet: propertyFacet(key.toLowerCase()) }, limit, prefix);
  if (kept) return kept;
  const rows = await getDb().requestProperty.groupBy({
    by: ["value"],
    where: { organizationId, key: key.toLowerCase(), ...(prefix ? { value: { startsWith: prefix } } : {}) },
    _count: { _all: true },
    orderBy: { _count: { value: "desc" } },
    take: limit,
  });
  return rows.map((row) => ({ value: row.value, count: row._count._all }));
}

/** Models this organization has called, most used first. */
export async function findModels(organizationId: string, limit: number): Promise<Array<{ model: string; count: number }>> {
  const kept = await countsFromRollups(organizationId, { column: "model", facet: ALL_REQUESTS_FACET }, limit);
  if (kept) return kept.map(({ value, count }) => ({ model: value, count }));
  const rows = await getDb().request.groupBy({
    by: ["model"],
    where: { organizationId, model: { not: null } },
    _count: { _all: true },
    orderBy: { _count: { model: "desc" } },
    take: limit,
  });
  return rows.map((row) => ({ model: row.model!, count: row._count._all }));
}
