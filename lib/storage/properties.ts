import { getDb } from "./db";

/** Property keys this organization has logged, most used first. */
export async function findPropertyKeys(organizationId: string, limit: number): Promise<Array<{ key: string; count: number }>> {
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
  const rows = await getDb().request.groupBy({
    by: ["model"],
    where: { organizationId, model: { not: null } },
    _count: { _all: true },
    orderBy: { _count: { model: "desc" } },
    take: limit,
  });
  return rows.map((row) => ({ model: row.model!, count: row._count._all }));
}
