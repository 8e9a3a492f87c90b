import type Database from "better-sqlite3";
import type pg from "pg";
import { LatencySketch } from "../domain/insights/latency-sketch";
import { addCounters } from "../domain/insights/metrics-aggregate";
import { Presence } from "../domain/insights/presence";
import { firstHourOf, groupKeyOf, RollupChanges, SPANS, spansOf, type PresenceChange, type RollupRecord, type RollupRowChange } from "../domain/insights/rollup-changes";
import type { LoggedRequest } from "../domain/logged-request";
import { replacedAttemptIds } from "../domain/wasted-spend";
import type { InTransaction } from "./bulk-insert";
import { sqliteTimeMs } from "./trace-rows";

/**
 * Keeps the Insights rollups (MetricsRollup, MetricsPresence: lib/domain/insights/rollup-changes.ts)
 * in step with the requests, inside the transactions that change them:
 *
 * - a batch's insert (rollupsOnInsert): exactly the rows it inserted are counted (a replayed
 *   batch's rows are skipped by the insert, so never counted twice), late or out of order alike,
 *   since rows are keyed by the hour the request started in, whenever it arrives;
 * - a retry on a trace node replaces the node's earlier attempts (wasted spend): the stored
 *   attempts on the batch's nodes are read, and those the batch's rows replace are corrected;
 * - usage roll-up marks (usage-rollups.ts) correct the rows they change (rollupsOnMark);
 * - retention's deletes (retention-steps.ts) take the requests they delete out again
 *   (removalChangesOn*), and a row left with no request goes, as a rebuild would leave it.
 *
 * On PostgreSQL several writers (instances) may race: each takes a transaction-scoped advisory
 * lock per trace node before reading its attempts, so the second to commit sees the first's rows;
 * kept rows are locked (SELECT … FOR UPDATE, keys in one order) before their sketches are merged.
 */

// ---------------------------------------------------------------- records

/** A stored request's fields the rollups read, as the Request table's columns name them. */
const RECORD_COLUMNS = [
  "id", "organizationId", "traceId", "nodeId", "startTime", "status", "cancelled", "latencyMs", "timeToFirstTokenMs",
  "promptTokens", "completionTokens", "costUsd", "costUnknown", "usageRollup", "model", "provider", "userId", "sessionId", "properties",
] as const;

export interface StoredRecord extends RollupRecord {
  id: string;
  nodeId: string | null;
}

export function rollupRecordOf(record: LoggedRequest, usageRollup: boolean): StoredRecord {
  return {
    id: record.id,
    organizationId: record.organizationId,
    traceId: record.traceId,
    nodeId: record.nodeId,
    startMs: record.startTime.getTime(),
    status: record.status,
    cancelled: record.cancelled,
    latencyMs: record.latencyMs,
    timeToFirstTokenMs: record.timeToFirstTokenMs,
    promptTokens: record.promptTokens,
    completionTokens: record.completionTokens,
    costUsd: usageRollup ? 0 : record.costUsd,
    costUnknown: usageRollup ? false : record.costUnknown,
    usageRollup,
    replaced: false,
    model: record.model,
    provider: record.provider,
    userId: record.userId,
    sessionId: record.sessionId,
    properties: record.properties,
  };
}

/** A row of RECORD_COLUMNS as read; `time` and `flag` decode each database's own forms. */
function storedRecord(row: unknown[], time: (value: unknown) => number, flag: (value: unknown) => boolean): StoredRecord {
  return {
    id: row[0] as string,
    organizationId: row[1] as string,
    traceId: row[2] as string | null,
    nodeId: row[3] as string | null,
    startMs: time(row[4]),
    status: row[5] as number,
    cancelled: flag(row[6]),
    latencyMs: row[7] as number,
    timeToFirstTokenMs: row[8] as number | null,
    promptTokens: row[9] as number | null,
    completionTokens: row[10] as number | null,
    costUsd: row[11] as number | null,
    costUnknown: flag(row[12]),
    usageRollup: flag(row[13]),
    replaced: false,
    model: row[14] as string | null,
    provider: row[15] as string,
    userId: row[16] as string | null,
    sessionId: row[17] as string | null,
    properties: JSON.parse(row[18] as string) as Record<string, string>,
  };
}

/**
 * What inserting `inserted` (the batch's records that were really stored) changes, given every
 * stored attempt on their trace nodes (theirs included): each inserted record counted, replaced
 * or not; each earlier attempt it replaces corrected.
 */
function changesOfInsert(inserted: readonly StoredRecord[], attempts: readonly StoredRecord[]): RollupChanges {
  const changes = new RollupChanges();
  const insertedIds = new Set(inserted.map((record) => record.id));
  const before = replacedAttemptIds(attempts.filter((attempt) => !insertedIds.has(attempt.id)).map(asAttempt));
  const after = replacedAttemptIds(attempts.map(asAttempt));
  for (const record of inserted) changes.addRecord({ ...record, replaced: after.has(record.id) });
  for (const attempt of attempts) {
    if (insertedIds.has(attempt.id) || before.has(attempt.id) || !after.has(attempt.id)) continue;
    changes.changeRecord(attempt, { ...attempt, replaced: true });
  }
  return changes;
}

/** As replacedAttemptIds reads it: a batch may hold several organizations' traces of one id. */
const asAttempt = (record: StoredRecord) => ({
  id: record.id,
  traceId: record.traceId === null ? null : `${record.organizationId}\u0000${record.traceId}`,
  nodeId: record.nodeId,
  startMs: record.startMs,
});

/** The distinct trace nodes of records, as [organizationId, traceId, nodeId] in one order. */
function nodesOf(records: readonly StoredRecord[]): Array<[string, string, string]> {
  const nodes = new Map<string, [string, string, string]>();
  for (const r of records) if (r.traceId !== null && r.nodeId !== null) nodes.set(`${r.organizationId}\u0000${r.traceId}\u0000${r.nodeId}`, [r.organizationId, r.traceId, r.nodeId]);
  return [...nodes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, node]) => node);
}

/** A marked roll-up before and after its mark, given whether a retry replaced it. */
function markChange(changes: RollupChanges, before: StoredRecord, replaced: boolean): void {
  const was = { ...before, replaced };
  changes.changeRecord(was, { ...was, usageRollup: true, costUsd: 0, costUnknown: false });
}

// ---------------------------------------------------------------- the insert's step

/** The step insertTables runs in the batch's transaction: count what it inserted. */
export function rollupsOnInsert(records: readonly StoredRecord[]): InTransaction {
  const byId = new Map(records.map((record) => [record.id, record]));
  const insertedOf = (keys: readonly string[]) => keys.map((key) => byId.get(key)!);
  return {
    sqlite(db, insertedKeys) {
      const inserted = insertedOf(insertedKeys);
      if (inserted.length === 0) return;
      applyOnSqlite(db, changesOfInsert(inserted, sqliteAttempts(db, nodesOf(inserted))));
    },
    async postgres(client, insertedKeys) {
      const inserted = insertedOf(insertedKeys);
      if (inserted.length === 0) return;
      const nodes = nodesOf(inserted);
      await lockNodes(client, nodes);
      await applyOnPostgres(client, changesOfInsert(inserted, await postgresAttempts(client, nodes)));
    },
  };
}

// ---------------------------------------------------------------- usage roll-up marks

const SQLITE_MARK = `UPDATE "Request" SET "usageRollup" = 1, "costUsd" = 0, "costUnknown" = 0 WHERE "id" = ? AND "usageRollup" = 0`;

/** Marks `ids` as usage roll-ups on SQLite and corrects the rollups, in one transaction. */
export function markUsageRollupsOnSqlite(db: Database.Database, ids: readonly string[]): void {
  const read = cachedStatement(db, `SELECT ${columnList()} FROM "Request" r WHERE r."id" = ? AND r."usageRollup" = 0`).raw(true);
  const mark = cachedStatement(db, SQLITE_MARK);
  db.transaction(() => {
    const changes = new RollupChanges();
    for (const id of ids) {
      const row = read.get(id) as unknown[] | undefined;
      if (!row) continue;
      const record = storedRecord(row, sqliteTimeMs, (value) => value === 1);
      mark.run(id);
      markChange(changes, record, isReplaced(record, sqliteAttempts(db, nodesOf([record]))));
    }
    applyOnSqlite(db, changes);
  }).immediate();
}

/**
 * Marks `ids` as usage roll-ups on PostgreSQL and corrects the rollups, in one transaction. Only
 * rows this call flips are corrected: a racing writer marking the same row waits on its lock and
 * then finds it marked.
 */
export async function markUsageRollupsOnPostgres(client: pg.PoolClient, ids: readonly string[]): Promise<void> {
  const { rows } = await client.query<unknown[]>({
    text: `SELECT ${columnList(POSTGRES_TIME)} FROM "Request" r WHERE r."id" = ANY($1::text[]) AND r."usageRollup" = false ORDER BY r."id" FOR UPDATE`,
    values: [[...ids].sort()],
    rowMode: "array",
  });
  if (rows.length === 0) return;
  const records = rows.map((row) => storedRecord(row, Number, (value) => value === true));
  const nodes = nodesOf(records);
  await lockNodes(client, nodes);
  const attempts = await postgresAttempts(client, nodes);
  await client.query(`UPDATE "Request" SET "usageRollup" = true, "costUsd" = 0, "costUnknown" = false WHERE "id" = ANY($1::text[])`, [records.map((r) => r.id)]);
  const changes = new RollupChanges();
  for (const record of records) markChange(changes, record, isReplaced(record, attempts));
  await applyOnPostgres(client, changes);
}

function isReplaced(record: StoredRecord, attempts: readonly StoredRecord[]): boolean {
  return replacedAttemptIds(attempts.map(asAttempt)).has(record.id);
}

// ---------------------------------------------------------------- retention's deletes

/**
 * What deleting `records` (still stored) takes out of the rollups: each one as it is counted,
 * replaced or not. Deleting them never changes the others' counts: retention deletes the oldest
 * requests, and an attempt's "replaced" depends only on later attempts of its node.
 */
function changesOfRemoval(records: readonly StoredRecord[], attempts: readonly StoredRecord[]): RollupChanges {
  const replaced = replacedAttemptIds(attempts.map(asAttempt));
  const changes = new RollupChanges();
  for (const record of records) changes.removeRecord({ ...record, replaced: replaced.has(record.id) });
  return changes;
}

/** On SQLite, before the delete and in its transaction: what deleting `records` takes out of the rollups (applyOnSqlite). */
export function removalChangesOnSqlite(db: Database.Database, records: readonly StoredRecord[]): RollupChanges {
  return changesOfRemoval(records, sqliteAttempts(db, nodesOf(records)));
}

/**
 * On PostgreSQL, before the delete and in its transaction: the same, with the records' trace nodes
 * locked as a writer locks them, so a retry arriving meanwhile is counted against what is left.
 */
export async function removalChangesOnPostgres(client: pg.PoolClient, records: readonly StoredRecord[]): Promise<RollupChanges> {
  const nodes = nodesOf(records);
  await lockNodes(client, nodes);
  return changesOfRemoval(records, await postgresAttempts(client, nodes));
}

/** An organization's requests that started in [fromMs, beforeMs), oldest first; at most `limit` when given. */
export function storedRecordsOnSqlite(db: Database.Database, organizationId: string, fromMs: number, beforeMs: number, limit?: number): IterableIterator<StoredRecord> {
  const statement = cachedStatement(
    db,
    `SELECT ${columnList()} FROM "Request" r WHERE r."organizationId" = ? AND r."startTime" >= ? AND r."startTime" < ? ORDER BY r."startTime"${limit === undefined ? "" : " LIMIT ?"}`,
  ).raw(true);
  const rows = statement.iterate(organizationId, sqliteTime(fromMs), sqliteTime(beforeMs), ...(limit === undefined ? [] : [limit])) as IterableIterator<unknown[]>;
  return (function* () {
    for (const row of rows) yield storedRecord(row, sqliteTimeMs, (value) => value === 1);
  })();
}

/** As stored by the write path: ISO 8601 ending "+00:00", which compares as text. */
export const sqliteTime = (timeMs: number) => new Date(timeMs).toISOString().replace("Z", "+00:00");

const POSTGRES_RANGE = `r."organizationId" = $1 AND r."startTime" >= ($2::timestamptz AT TIME ZONE 'UTC') AND r."startTime" < ($3::timestamptz AT TIME ZONE 'UTC')`;

/** The oldest `limit` requests of the range, locked (FOR UPDATE) for the transaction that deletes them. */
export async function oldestRecordsOnPostgres(client: pg.PoolClient, organizationId: string, fromMs: number, beforeMs: number, limit: number): Promise<StoredRecord[]> {
  const { rows } = await client.query<unknown[]>({
    text: `SELECT ${columnList(POSTGRES_TIME)} FROM "Request" r WHERE ${POSTGRES_RANGE} ORDER BY r."startTime" LIMIT $4 FOR UPDATE`,
    values: [organizationId, new Date(fromMs).toISOString(), new Date(beforeMs).toISOString(), limit],
    rowMode: "array",
  });
  return rows.map((row) => storedRecord(row, Number, (value) => value === true));
}

/** Every request of the range, fetched a few thousand at a time through a cursor in the client's transaction. */
export async function eachStoredRecordOnPostgres(client: pg.PoolClient, organizationId: string, fromMs: number, beforeMs: number, visit: (record: StoredRecord) => void): Promise<void> {
  await client.query({
    text: `DECLARE retention_records NO SCROLL CURSOR FOR SELECT ${columnList(POSTGRES_TIME)} FROM "Request" r WHERE ${POSTGRES_RANGE}`,
    values: [organizationId, new Date(fromMs).toISOString(), new Date(beforeMs).toISOString()],
  });
  for (;;) {
    const { rows } = await client.query<unknown[]>({ text: `FETCH 5000 FROM retention_records`, rowMode: "array" });
    for (const row of rows) visit(storedRecord(row, Number, (value) => value === true));
    if (rows.length < 5000) break;
    // Counting an hour of requests is CPU on the thread that also serves calls: let it answer between fetches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await client.query(`CLOSE retention_records`);
}

// ---------------------------------------------------------------- SQLite

const statementsByDb = new WeakMap<Database.Database, Map<string, Database.Statement>>();

function cachedStatement(db: Database.Database, sql: string): Database.Statement {
  let statements = statementsByDb.get(db);
  if (!statements) statementsByDb.set(db, (statements = new Map()));
  let statement = statements.get(sql);
  if (!statement) statements.set(sql, (statement = db.prepare(sql)));
  return statement;
}

function columnList(time: (column: string) => string = (column) => column): string {
  return RECORD_COLUMNS.map((column) => (column === "startTime" ? time(`r."startTime"`) : `r."${column}"`)).join(", ");
}

/** Every stored attempt on the nodes: one probe of the (organizationId, traceId, nodeId, …) index each. */
function sqliteAttempts(db: Database.Database, nodes: ReadonlyArray<[string, string, string]>): StoredRecord[] {
  const read = cachedStatement(db, `SELECT ${columnList()} FROM "Request" r WHERE r."organizationId" = ? AND r."traceId" = ? AND r."nodeId" = ?`).raw(true);
  const attempts: StoredRecord[] = [];
  for (const node of nodes) for (const row of read.all(...node) as unknown[][]) attempts.push(storedRecord(row, sqliteTimeMs, (value) => value === 1));
  return attempts;
}

const EMPTY_SKETCH_BYTES = LatencySketch.empty().encode();
const ROLLUP_KEY = `"organizationId" = ? AND "facet" = ? AND "facetValue" = ? AND "span" = ? AND "hour" = ? AND "groupKey" = ?`;
const COUNTER_COLUMNS = ["requests", "errors", "costPicoUsd", "costUnknownRequests", "promptTokens", "completionTokens", "wastedCostPicoUsd"] as const;

export function applyOnSqlite(db: Database.Database, changes: RollupChanges): void {
  const readSketches = cachedStatement(db, `SELECT "latencySketch", "firstTokenSketch" FROM "MetricsRollup" WHERE ${ROLLUP_KEY}`).raw(true);
  const update = cachedStatement(
    db,
    `UPDATE "MetricsRollup" SET ${COUNTER_COLUMNS.map((c) => `"${c}" = "${c}" + ?`).join(", ")}, "latencySketch" = ?, "firstTokenSketch" = ? WHERE ${ROLLUP_KEY}`,
  );
  const insert = cachedStatement(
    db,
    `INSERT INTO "MetricsRollup" ("organizationId", "facet", "facetValue", "span", "hour", "groupKey", "model", "provider", "status", ${COUNTER_COLUMNS.map((c) => `"${c}"`).join(", ")}, "latencySketch", "firstTokenSketch")
     VALUES (${Array(11 + COUNTER_COLUMNS.length).fill("?").join(", ")})`,
  );
  const deleteEmpty = cachedStatement(db, `DELETE FROM "MetricsRollup" WHERE ${ROLLUP_KEY} AND "requests" = 0`);
  for (const { row, key } of keptRows(changes)) {
    const stored = readSketches.get(...key) as [Uint8Array, Uint8Array] | undefined;
    const counters = counterValues(row);
    if (stored) {
      const [latency, firstToken] = mergedSketches(row, stored);
      update.run(...counters, latency, firstToken, ...key);
      // A row whose last request retention took out is gone, as a rebuild would leave it.
      if (removesRequests(row)) deleteEmpty.run(...key);
    } else {
      const [latency, firstToken] = mergedSketches(row, [EMPTY_SKETCH_BYTES, EMPTY_SKETCH_BYTES]);
      insert.run(...key, row.slice.model, row.slice.provider, row.slice.status, ...counters, latency, firstToken);
    }
  }
  const readPresence = cachedStatement(db, `SELECT "presence" FROM "MetricsPresence" WHERE "organizationId" = ? AND "facet" = ? AND "facetValue" = ? AND "span" = ? AND "hour" = ?`).pluck(true);
  const writePresence = cachedStatement(
    db,
    `INSERT INTO "MetricsPresence" ("organizationId", "facet", "facetValue", "span", "hour", "presence") VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT ("organizationId", "facet", "facetValue", "span", "hour") DO UPDATE SET "presence" = excluded."presence"`,
  );
  for (const { change, key } of keptPresence(changes)) {
    writePresence.run(...key, Buffer.from(mergedPresence(change, readPresence.get(...key) as Uint8Array | undefined)));
  }
}

type RowKey = [string, string, string, number, number, string];
type PresenceKey = [string, string, string, number, number];

/**
 * The kept rows an hour's change adds to: its hour's, and its UTC day's (span 24, the sum of the
 * day's hours), which a month's answer reads instead of 24 rows. One change per row (a batch's
 * hours of one day add up into the day's), in key order, so that writers on PostgreSQL lock rows
 * in one order.
 */
function keptRows(changes: RollupChanges): Array<{ row: RollupRowChange; key: RowKey }> {
  const rows = new Map<string, { row: RollupRowChange; key: RowKey }>();
  for (const row of changes.rows.values()) {
    for (const span of spansOf(row.slice.facet)) {
      const key: RowKey = [row.organizationId, row.slice.facet, row.slice.facetValue, span, firstHourOf(row.hour, span), groupKeyOf(row.slice)];
      const id = JSON.stringify(key);
      const kept = rows.get(id);
      rows.set(id, { row: kept ? addedRowChanges(kept.row, row) : row, key });
    }
  }
  return [...rows.values()].sort((a, b) => compareKeys(a.key, b.key));
}

function keptPresence(changes: RollupChanges): Array<{ change: PresenceChange; key: PresenceKey }> {
  const kept = new Map<string, { change: PresenceChange; key: PresenceKey }>();
  for (const change of changes.presence.values()) {
    for (const span of SPANS) {
      const key: PresenceKey = [change.organizationId, change.facet, change.facetValue, span, firstHourOf(change.hour, span)];
      const id = JSON.stringify(key);
      const other = kept.get(id);
      if (!other) {
        kept.set(id, { change, key });
        continue;
      }
      const presence = new Presence();
      presence.merge(other.change.presence);
      presence.merge(change.presence);
      kept.set(id, { change: { ...change, presence }, key });
    }
  }
  return [...kept.values()].sort((a, b) => compareKeys(a.key, b.key));
}

/** Two changes of one kept row as one (neither changes). */
function addedRowChanges(a: RollupRowChange, b: RollupRowChange): RollupRowChange {
  const counters = { ...a.counters };
  addCounters(counters, b.counters);
  const sketch = (x: LatencySketch | null, y: LatencySketch | null) => {
    if (!x && !y) return null;
    const merged = LatencySketch.empty();
    if (x) merged.merge(x);
    if (y) merged.merge(y);
    return merged;
  };
  return {
    ...a,
    counters,
    latencyMs: sketch(a.latencyMs, b.latencyMs),
    timeToFirstTokenMs: sketch(a.timeToFirstTokenMs, b.timeToFirstTokenMs),
    removedLatencyMs: sketch(a.removedLatencyMs, b.removedLatencyMs),
    removedTimeToFirstTokenMs: sketch(a.removedTimeToFirstTokenMs, b.removedTimeToFirstTokenMs),
  };
}

function counterValues({ counters: c }: RollupRowChange): Array<number | bigint> {
  return [c.requests, c.errors, c.costPicoUsd, c.costUnknownRequests, BigInt(c.promptTokens), BigInt(c.completionTokens), c.wastedCostPicoUsd];
}

/**
 * The stored sketches with the change's values added and its removed values taken out (unchanged
 * when it only corrects counters).
 */
function mergedSketches(row: RollupRowChange, stored: [Uint8Array, Uint8Array]): [Buffer, Buffer] {
  if (!row.latencyMs && !row.removedLatencyMs) return [Buffer.from(stored[0]), Buffer.from(stored[1])];
  return [changedSketch(stored[0], row.latencyMs, row.removedLatencyMs), changedSketch(stored[1], row.timeToFirstTokenMs, row.removedTimeToFirstTokenMs)];
}

function changedSketch(stored: Uint8Array, added: LatencySketch | null, removed: LatencySketch | null): Buffer {
  let sketch = LatencySketch.decode(stored);
  if (added) sketch.merge(added);
  if (removed) sketch = sketch.minus(removed);
  return Buffer.from(sketch.encode());
}

/** Whether a change takes requests out of its row (retention), which may leave the row empty. */
const removesRequests = (row: RollupRowChange) => row.counters.requests < 0;

function mergedPresence(change: PresenceChange, stored: Uint8Array | undefined): Uint8Array {
  if (!stored) return change.presence.encode();
  const presence = new Presence();
  presence.mergeEncoded(stored);
  presence.merge(change.presence);
  return presence.encode();
}

// ---------------------------------------------------------------- PostgreSQL

const POSTGRES_TIME = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;

/** One transaction-scoped advisory lock per trace node, taken in one order (no deadlock between writers). */
async function lockNodes(client: pg.PoolClient, nodes: ReadonlyArray<[string, string, string]>): Promise<void> {
  if (nodes.length === 0) return;
  await client.query(
    `SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(o || chr(1) || t || chr(1) || n, 0) AS k
       FROM unnest($1::text[], $2::text[], $3::text[]) AS u(o, t, n) ORDER BY k) s`,
    [nodes.map((n) => n[0]), nodes.map((n) => n[1]), nodes.map((n) => n[2])],
  );
}

async function postgresAttempts(client: pg.PoolClient, nodes: ReadonlyArray<[string, string, string]>): Promise<StoredRecord[]> {
  if (nodes.length === 0) return [];
  const { rows } = await client.query<unknown[]>({
    text: `SELECT ${columnList(POSTGRES_TIME)} FROM unnest($1::text[], $2::text[], $3::text[]) AS u(o, t, n)
      JOIN "Request" r ON r."organizationId" = u.o AND r."traceId" = u.t AND r."nodeId" = u.n`,
    values: [nodes.map((n) => n[0]), nodes.map((n) => n[1]), nodes.map((n) => n[2])],
    rowMode: "array",
  });
  return rows.map((row) => storedRecord(row, Number, (value) => value === true));
}

const hex = (bytes: Uint8Array) => `\\x${Buffer.from(bytes).toString("hex")}`;
const EMPTY_SKETCH = hex(EMPTY_SKETCH_BYTES);

/**
 * Three round trips whatever the batch: create the missing rows empty, lock and read them all,
 * write them back added to. Rows in key order, so that two writers lock them in the same order.
 */
export async function applyOnPostgres(client: pg.PoolClient, changes: RollupChanges): Promise<void> {
  const rows = keptRows(changes);
  if (rows.length > 0) {
    const keyArrays = [0, 1, 2, 3, 4, 5].map((i) => rows.map(({ key }) => key[i]));
    const keyTypes = ["text", "text", "text", "int", "int", "text"];
    const unnestKeys = keyTypes.map((type, i) => `$${i + 1}::${type}[]`).join(", ");
    const KEY = `"organizationId", "facet", "facetValue", "span", "hour", "groupKey"`;
    const stored = await lockedRows<[Buffer, Buffer]>(
      client,
      rows.length,
      {
        text: `INSERT INTO "MetricsRollup" (${KEY}, "model", "provider", "status", ${COUNTER_COLUMNS.map((c) => `"${c}"`).join(", ")}, "latencySketch", "firstTokenSketch")
         SELECT k.o, k.f, k.v, k.s, k.h, k.g, m.model, m.provider, m.status, 0, 0, 0, 0, 0, 0, 0, $10::bytea, $10::bytea
         FROM unnest(${unnestKeys}) WITH ORDINALITY AS k(o, f, v, s, h, g, i)
         JOIN unnest($7::text[], $8::text[], $9::int[]) WITH ORDINALITY AS m(model, provider, status, i) USING (i)
         ORDER BY k.i ON CONFLICT DO NOTHING`,
        values: [...keyArrays, rows.map(({ row }) => row.slice.model), rows.map(({ row }) => row.slice.provider), rows.map(({ row }) => row.slice.status), EMPTY_SKETCH],
      },
      {
        text: `SELECT r."latencySketch", r."firstTokenSketch" FROM unnest(${unnestKeys}) WITH ORDINALITY AS k(o, f, v, s, h, g, i)
          JOIN "MetricsRollup" r ON (r.${KEY.replaceAll(", ", ", r.")}) = (k.o, k.f, k.v, k.s, k.h, k.g) ORDER BY k.i FOR UPDATE OF r`,
        values: keyArrays,
      },
    );
    const merged = rows.map(({ row }, i) => mergedSketches(row, stored[i]!));
    const counters = COUNTER_COLUMNS.map((_, c) => rows.map(({ row }) => String(counterValues(row)[c])));
    const counterTypes = ["int", "int", "bigint", "int", "bigint", "bigint", "bigint"];
    await client.query(
      `UPDATE "MetricsRollup" r SET ${COUNTER_COLUMNS.map((c, i) => `"${c}" = r."${c}" + d.c${i}`).join(", ")}, "latencySketch" = d.l, "firstTokenSketch" = d.t
       FROM unnest(${unnestKeys}, ${counterTypes.map((type, i) => `$${i + 7}::${type}[]`).join(", ")}, $14::bytea[], $15::bytea[])
         AS d(o, f, v, s, h, g, ${counterTypes.map((_, i) => `c${i}`).join(", ")}, l, t)
       WHERE (r.${KEY.replaceAll(", ", ", r.")}) = (d.o, d.f, d.v, d.s, d.h, d.g)`,
      [...keyArrays, ...counters, merged.map(([l]) => hex(l)), merged.map(([, t]) => hex(t))],
    );
    const emptied = rows.filter(({ row }) => removesRequests(row)).map(({ key }) => key);
    if (emptied.length > 0) {
      // A row whose last request retention took out is gone, as a rebuild would leave it.
      await client.query(
        `DELETE FROM "MetricsRollup" r USING unnest(${unnestKeys}) AS d(o, f, v, s, h, g)
         WHERE (r.${KEY.replaceAll(", ", ", r.")}) = (d.o, d.f, d.v, d.s, d.h, d.g) AND r."requests" = 0`,
        [0, 1, 2, 3, 4, 5].map((i) => emptied.map((key) => key[i])),
      );
    }
  }
  const presence = keptPresence(changes);
  if (presence.length > 0) {
    const keyArrays = [0, 1, 2, 3, 4].map((i) => presence.map(({ key }) => key[i]));
    const unnestKeys = `$1::text[], $2::text[], $3::text[], $4::int[], $5::int[]`;
    const stored = await lockedRows<[Buffer]>(
      client,
      presence.length,
      {
        text: `INSERT INTO "MetricsPresence" ("organizationId", "facet", "facetValue", "span", "hour", "presence")
         SELECT o, f, v, s, h, $6::bytea FROM unnest(${unnestKeys}) WITH ORDINALITY AS k(o, f, v, s, h, i) ORDER BY i ON CONFLICT DO NOTHING`,
        values: [...keyArrays, hex(new Presence().encode())],
      },
      {
        text: `SELECT p."presence" FROM unnest(${unnestKeys}) WITH ORDINALITY AS k(o, f, v, s, h, i)
          JOIN "MetricsPresence" p ON (p."organizationId", p."facet", p."facetValue", p."span", p."hour") = (k.o, k.f, k.v, k.s, k.h) ORDER BY k.i FOR UPDATE OF p`,
        values: keyArrays,
      },
    );
    await client.query(
      `UPDATE "MetricsPresence" p SET "presence" = d.p FROM unnest(${unnestKeys}, $6::bytea[]) AS d(o, f, v, s, h, p)
       WHERE (p."organizationId", p."facet", p."facetValue", p."span", p."hour") = (d.o, d.f, d.v, d.s, d.h)`,
      [...keyArrays, presence.map(({ change }, i) => hex(mergedPresence(change, stored[i]![0])))],
    );
  }
}

/**
 * Makes sure `count` kept rows exist (`ensure`: insert them empty, skipping those there) and locks
 * them in key order (`lock`: one row each, in the keys' order). Retention may delete a kept row
 * between the two statements (an old hour's, or one whose last request it took out): the lock
 * then finds fewer rows, and both run again.
 */
async function lockedRows<Row extends unknown[]>(client: pg.PoolClient, count: number, ensure: pg.QueryConfig, lock: pg.QueryConfig): Promise<Row[]> {
  for (;;) {
    await client.query(ensure);
    const { rows } = await client.query<Row>({ ...lock, rowMode: "array" });
    if (rows.length === count) return rows;
  }
}

export function compareKeys(a: ReadonlyArray<string | number>, b: ReadonlyArray<string | number>): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}
