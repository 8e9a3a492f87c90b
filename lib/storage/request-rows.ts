import type { LoggedRequest } from "../domain/logged-request";
import { insertTables } from "./bulk-insert";
import { REQUEST_COLUMNS } from "./request-columns";
import type { TableRows } from "./table-rows";
import { rollupRecordOf, rollupsOnInsert } from "./metrics-rollups";
import { completeUsageRollups, usageRollupsWithin } from "./usage-rollups";

// A body and a property row repeat their request's start time: on PostgreSQL all three tables are
// partitioned by it, so a request's rows share one time range (partitions.ts).
const BODY_COLUMNS = ["requestId", "requestBody", "responseBody", "requestHeaders", "responseHeaders", "startTime"];
const PROPERTY_COLUMNS = ["requestId", "organizationId", "key", "value", "startTime"];

/**
 * Saves a batch in one transaction: a request, its bodies and its property rows land together or
 * not at all (see insertTables for how, and why not createMany). The spans the batch shows to be
 * usage roll-ups are stored as such; once the batch is committed, the spans that only its trace's
 * earlier rows show to be are marked (usage-rollups.ts). If that fails, the batch fails, and
 * saving it again marks them (its rows are already stored and skipped). The Insights rollups count
 * the rows the insert really stored, in its transaction (metrics-rollups.ts). On SQLite it holds the
 * calling thread for the transaction: the log writer calls it from its write thread, which is
 * also why this module stays clear of Prisma's client (loading it cost the starting thread
 * ≈ 0.15 s of CPU).
 */
export async function saveLoggedRequests(batch: readonly LoggedRequest[]): Promise<void> {
  if (batch.length === 0) return;
  const rollups = usageRollupsWithin(batch);
  const records = batch.map(withoutNulCharacters);
  await insertTables(
    requestTableRows(records, rollups.ids),
    rollupsOnInsert(records.map((record) => rollupRecordOf(record, rollups.ids.has(record.id)))),
  );
  await completeUsageRollups(rollups);
}

/** The rows one batch of records becomes: a request, its bodies and its property rows. */
function requestTableRows(records: readonly LoggedRequest[], rollupIds: ReadonlySet<string>): TableRows[] {
  const createdAt = new Date();
  const requests = records.map((record) => {
    const rollup = rollupIds.has(record.id);
    return REQUEST_COLUMNS.map((column) => {
      if (column === "createdAt") return createdAt;
      if (column === "properties") return JSON.stringify(record.properties);
      if (column === "usageRollup") return rollup;
      // a roll-up's tokens stay; its cost is its calls'
      if (rollup && column === "costUsd") return 0;
      if (rollup && column === "costUnknown") return false;
      return record[column];
    });
  });
  const bodies = records.map((r) => [r.id, r.requestBody, r.responseBody, JSON.stringify(r.requestHeaders), JSON.stringify(r.responseHeaders), r.startTime]);
  const properties = records.flatMap((r) => Object.entries(r.properties).map(([key, value]) => [r.id, r.organizationId, key, value, r.startTime]));
  return [
    { table: "Request", columns: REQUEST_COLUMNS, rows: requests },
    { table: "RequestBody", columns: BODY_COLUMNS, rows: bodies },
    { table: "RequestProperty", columns: PROPERTY_COLUMNS, rows: properties },
  ];
}

/**
 * PostgreSQL text cannot hold U+0000, and one record it refuses would fail its whole batch on
 * every retry. A binary upload's body or a "\u0000" in a custom log's JSON is legitimate input,
 * so the character is stored as U+FFFD, on both databases alike.
 */
function withoutNulCharacters(record: LoggedRequest): LoggedRequest {
  if (!hasNulCharacter(record)) return record;
  const clean = (text: string) => (text.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text);
  const cleaned = { ...record };
  for (const [field, value] of Object.entries(record)) {
    if (typeof value === "string") (cleaned as Record<string, unknown>)[field] = clean(value);
  }
  cleaned.properties = Object.fromEntries(Object.entries(record.properties).map(([key, value]) => [clean(key), clean(value)]));
  return cleaned;
}

/** The common case, checked without copying anything: the log writer sees every record. */
function hasNulCharacter(record: LoggedRequest): boolean {
  for (const value of Object.values(record)) if (typeof value === "string" && value.includes("\u0000")) return true;
  for (const key in record.properties) if (key.includes("\u0000") || record.properties[key]!.includes("\u0000")) return true;
  return false;
}
