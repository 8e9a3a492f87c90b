import { getDb } from "./db";

export interface StoredBodies {
  requestId: string;
  requestBody: string | null;
  responseBody: string | null;
}

/** Ids per query: far below SQLite's and PostgreSQL's limits on bound parameters. */
const IDS_PER_QUERY = 500;

/**
 * The request and response bodies of these requests, those of this organization only (an id of
 * another organization reads as absent), in no particular order.
 */
export async function findRequestBodies(organizationId: string, requestIds: readonly string[]): Promise<StoredBodies[]> {
  const found: StoredBodies[] = [];
  for (let start = 0; start < requestIds.length; start += IDS_PER_QUERY) {
    const ids = requestIds.slice(start, start + IDS_PER_QUERY);
    found.push(
      ...(await getDb().requestBody.findMany({
        where: { requestId: { in: ids }, request: { organizationId } },
        select: { requestId: true, requestBody: true, responseBody: true },
      })),
    );
  }
  return found;
}
