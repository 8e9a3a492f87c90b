import type Database from "better-sqlite3";
import type pg from "pg";
import { HOUR_MS, RollupChanges } from "../domain/insights/rollup-changes";
import { Presence } from "../domain/insights/presence";
import type { RetentionCut } from "../domain/retention";
import { resolveDatabase } from "./database-url";
import {
  applyOnPostgres,
  applyOnSqlite,
  compareKeys,
  eachStoredRecordOnPostgres,
  oldestRecordsOnPostgres,
  removalChangesOnPostgres,
  removalChangesOnSqlite,
  sqliteTime,
  storedRecordsOnSqlite,
} from "./metrics-rollups";
import { writeConnection } from "./sqlite-insert";

/**
 * The steps a retention run is made of (retention.ts puts them in order), each one short
 * transaction, on either database:
 *
 * - takeOutRequests: the oldest `limit` requests of a range with their bodies and properties,
 *   taken out of the Insights rollups' rows too (counters and latency sketches subtract exactly)
 *   in the same transaction, so a reader never sees rollups that count a deleted request. For
 *   the day the cutoff falls in, whose rollup rows stay.
 * - deleteRequests: `limit` requests that started before a time, with their bodies and
 *   properties, and nothing else: for the days before the cutoff's, whose rollup rows go whole.
 * - recountPresence: the presence sets (traces, users, sessions) of the hours the cutoff cut into
 *   and of their day, counted again from the requests left, since ids do not subtract.
 * - dropRollupHours: at most `limit` of an organization's rollup rows of hours before its cutoff's day.
 *
 * Each resolves with the rows it deleted (or recounted), so the caller knows when a range is done.
 * While the rollups are not built yet (metrics-rollup-rebuild.ts builds them once for an old
 * database, from the requests stored then), steps delete requests only.
 */
export type RetentionStep =
  | { kind: "takeOutRequests"; organizationId: string; fromMs: number; beforeMs: number; limit: number }
  | { kind: "deleteRequests"; organizationId: string; beforeMs: number; limit: number }
  | { kind: "recountPresence"; organizationId: string; cut: RetentionCut }
  | { kind: "dropRollupHours"; organizationId: string; beforeHour: number; limit: number };

// ---------------------------------------------------------------- SQLite

/**
 * Runs a step in one write transaction on this thread's writing connection: the log writer's
 * write thread runs them between its batches (write-thread.ts), so deletes and inserts take
 * turns on SQLite's one writer instead of waiting for each other's lock.
 */
export function runSqliteRetentionStep(step: RetentionStep): number {
  const database = resolveDatabase();
  if (database.kind !== "sqlite") throw new Error("runSqliteRetentionStep needs a SQLite database");
  const { db } = writeConnection(database.filePath);
  return db.transaction(() => sqliteStep(db, step)).immediate();
}

function sqliteStep(db: Database.Database, step: RetentionStep): number {
  const built = db.prepare(`SELECT 1 FROM "MetricsRollupState" WHERE "id" = 1`).get() !== undefined;
  switch (step.kind) {
    case "takeOutRequests": {
      const records = [...storedRecordsOnSqlite(db, step.organizationId, step.fromMs, step.beforeMs, step.limit)];
      if (built && records.length > 0) applyOnSqlite(db, removalChangesOnSqlite(db, records));
      return deleteRequestsOnSqlite(
        db,
        records.map((record) => record.id),
      );
    }
    case "deleteRequests": {
      const ids = db
        .prepare(`SELECT "id" FROM "Request" WHERE "organizationId" = ? AND "startTime" < ? LIMIT ?`)
        .pluck(true)
        .all(step.organizationId, sqliteTime(step.beforeMs), step.limit) as string[];
      return deleteRequestsOnSqlite(db, ids);
    }
    case "recountPresence": {
      if (!built) return 0;
      const { firstHour, lastHour } = recountedHours(step.cut);
      const changes = new RollupChanges();
      let counted = 0;
      for (const record of storedRecordsOnSqlite(db, step.organizationId, firstHour * HOUR_MS, (lastHour + 1) * HOUR_MS)) {
        changes.addPresence(record);
        counted++;
      }
      const laterHours = db
        .prepare(`SELECT "facet", "facetValue", "presence" FROM "MetricsPresence" WHERE "organizationId" = ? AND "span" = 1 AND "hour" > ? AND "hour" < ?`)
        .raw(true)
        .all(step.organizationId, lastHour, firstHour + 24) as Array<[string, string, Uint8Array]>;
      const rows = recountedPresence(step.organizationId, step.cut, changes, laterHours);
      db.prepare(`DELETE FROM "MetricsPresence" WHERE "organizationId" = ? AND (("span" = 1 AND "hour" BETWEEN ? AND ?) OR ("span" = 24 AND "hour" = ?))`).run(
        step.organizationId,
        firstHour,
        lastHour,
        firstHour,
      );
      const insert = db.prepare(`INSERT INTO "MetricsPresence" ("organizationId", "facet", "facetValue", "span", "hour", "presence") VALUES (?, ?, ?, ?, ?, ?)`);
      for (const row of rows) insert.run(...row.key, Buffer.from(row.presence.encode()));
      return counted;
    }
    case "dropRollupHours": {
      // At most `limit` rows in all, the rollups' first: fewer means none is left.
      let dropped = 0;
      for (const table of ["MetricsRollup", "MetricsPresence"]) {
        dropped += db
          .prepare(`DELETE FROM "${table}" WHERE rowid IN (SELECT rowid FROM "${table}" WHERE "organizationId" = ? AND "hour" < ? LIMIT ?)`)
          .run(step.organizationId, step.beforeHour, step.limit - dropped).changes;
      }
      return dropped;
    }
  }
}

/** Deletes requests with their bodies and properties (not left to foreign keys: a connection may have them off). */
function deleteRequestsOnSqlite(db: Database.Database, ids: readonly string[]): number {
  if (ids.length === 0) return 0;
  const list = JSON.stringify(ids);
  db.prepare(`DELETE FROM "RequestProperty" WHERE "requestId" IN (SELECT value FROM json_each(?))`).run(list);
  db.prepare(`DELETE FROM "RequestBody" WHERE "requestId" IN (SELECT value FROM json_each(?))`).run(list);
  return db.prepare(`DELETE FROM "Request" WHERE "id" IN (SELECT value FROM json_each(?))`).run(list).changes;
}

// ---------------------------------------------------------------- PostgreSQL

/** Runs a step in one transaction on `client` (retention's own connection, which holds its advisory lock). */
export async function runPostgresRetentionStep(client: pg.PoolClient, step: RetentionStep): Promise<number> {
  await client.query("BEGIN");
  try {
    const result = await postgresStep(client, step);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** Read after the step's delete: a rebuild holds its SHARE lock on the requests until it commits, so the delete waits for it. */
async function rollupsBuiltOnPostgres(client: pg.PoolClient): Promise<boolean> {
  return (await client.query(`SELECT 1 FROM "MetricsRollupState" WHERE "id" = 1`)).rowCount === 1;
}

async function postgresStep(client: pg.PoolClient, step: RetentionStep): Promise<number> {
  switch (step.kind) {
    case "takeOutRequests": {
      const records = await oldestRecordsOnPostgres(client, step.organizationId, step.fromMs, step.beforeMs, step.limit);
      if (records.length === 0) return 0;
      const changes = await removalChangesOnPostgres(client, records);
      const deleted = await deleteRequestsOnPostgres(
        client,
        records.map((record) => record.id),
      );
      if (await rollupsBuiltOnPostgres(client)) await applyOnPostgres(client, changes);
      return deleted;
    }
    case "deleteRequests": {
      const { rows } = await client.query<{ id: string }>(
        `SELECT "id" FROM "Request" WHERE "organizationId" = $1 AND "startTime" < ($2::timestamptz AT TIME ZONE 'UTC') LIMIT $3`,
        [step.organizationId, new Date(step.beforeMs).toISOString(), step.limit],
      );
      return deleteRequestsOnPostgres(
        client,
        rows.map((row) => row.id),
      );
    }
    case "recountPresence":
      return recountPresenceOnPostgres(client, step.organizationId, step.cut);
    case "dropRollupHours": {
      // At most `limit` rows in all, the rollups' first: fewer means none is left.
      let dropped = 0;
      for (const table of ["MetricsRollup", "MetricsPresence"]) {
        const { rowCount } = await client.query(
          `DELETE FROM "${table}" WHERE ctid IN (SELECT ctid FROM "${table}" WHERE "organizationId" = $1 AND "hour" < $2 LIMIT $3)`,
          [step.organizationId, step.beforeHour, step.limit - dropped],
        );
        dropped += rowCount ?? 0;
      }
      return dropped;
    }
  }
}

async function deleteRequestsOnPostgres(client: pg.PoolClient, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  await client.query(`DELETE FROM "RequestProperty" WHERE "requestId" = ANY($1::text[])`, [ids]);
  await client.query(`DELETE FROM "RequestBody" WHERE "requestId" = ANY($1::text[])`, [ids]);
  return (await client.query(`DELETE FROM "Request" WHERE "id" = ANY($1::text[])`, [ids])).rowCount ?? 0;
}

/**
 * Every writer that adds to a presence row of an hour (or day) first locks the row of all
 * requests (facet "") of that hour (or day): its rows are locked in key order, and facet "" sorts
 * first. So holding those rows for the recounted hours and their day, made to exist first,
 * keeps every writer of them waiting until the recount commits, and a writer that committed
 * before is in the requests counted. The writer's rows are locked in the same order, so no
 * deadlock.
 */
async function recountPresenceOnPostgres(client: pg.PoolClient, organizationId: string, cut: RetentionCut): Promise<number> {
  if (!(await rollupsBuiltOnPostgres(client))) return 0;
  const { firstHour, lastHour } = recountedHours(cut);
  const gates: Array<[string, string, string, number, number]> = [];
  for (let hour = firstHour; hour <= lastHour; hour++) gates.push([organizationId, "", "", 1, hour]);
  gates.push([organizationId, "", "", 24, firstHour]);
  gates.sort(compareKeys);
  const gateArrays = [0, 1, 2, 3, 4].map((i) => gates.map((gate) => gate[i]));
  await client.query(
    `INSERT INTO "MetricsPresence" ("organizationId", "facet", "facetValue", "span", "hour", "presence")
     SELECT o, f, v, s, h, $6::bytea FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[]) WITH ORDINALITY AS k(o, f, v, s, h, i) ORDER BY i
     ON CONFLICT DO NOTHING`,
    [...gateArrays, Buffer.from(new Presence().encode())],
  );
  await client.query(
    `SELECT 1 FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[]) WITH ORDINALITY AS k(o, f, v, s, h, i)
     JOIN "MetricsPresence" p ON (p."organizationId", p."facet", p."facetValue", p."span", p."hour") = (k.o, k.f, k.v, k.s, k.h) ORDER BY k.i FOR UPDATE OF p`,
    gateArrays,
  );
  const changes = new RollupChanges();
  let counted = 0;
  await eachStoredRecordOnPostgres(client, organizationId, firstHour * HOUR_MS, (lastHour + 1) * HOUR_MS, (record) => {
    changes.addPresence(record);
    counted++;
  });
  const { rows: laterHours } = await client.query<[string, string, Uint8Array]>({
    text: `SELECT "facet", "facetValue", "presence" FROM "MetricsPresence" WHERE "organizationId" = $1 AND "span" = 1 AND "hour" > $2 AND "hour" < $3`,
    values: [organizationId, lastHour, firstHour + 24],
    rowMode: "array",
  });
  const rows = recountedPresence(organizationId, cut, changes, laterHours);
  await client.query(
    `DELETE FROM "MetricsPresence" WHERE "organizationId" = $1 AND (("span" = 1 AND "hour" BETWEEN $2 AND $3) OR ("span" = 24 AND "hour" = $2))`,
    [organizationId, firstHour, lastHour],
  );
  if (rows.length > 0) {
    await client.query(
      `INSERT INTO "MetricsPresence" ("organizationId", "facet", "facetValue", "span", "hour", "presence")
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::bytea[])`,
      [...[0, 1, 2, 3, 4].map((i) => rows.map((row) => row.key[i])), rows.map((row) => Buffer.from(row.presence.encode()))],
    );
  }
  return counted;
}

// ---------------------------------------------------------------- either

/** The hours a recount covers: from the first of the cutoff's day to the one that holds it. */
function recountedHours(cut: RetentionCut): { firstHour: number; lastHour: number } {
  return { firstHour: cut.dayStartMs / HOUR_MS, lastHour: cut.hourStartMs / HOUR_MS };
}

interface PresenceRow {
  key: [string, string, string, number, number];
  presence: Presence;
}

/**
 * The presence rows of the recounted hours (from the requests left there) and of their day (those
 * hours' sets with the day's later hours' sets, which the cut did not touch): what a rebuild
 * writes for them.
 */
function recountedPresence(organizationId: string, cut: RetentionCut, counted: RollupChanges, laterHours: Iterable<[string, string, Uint8Array]>): PresenceRow[] {
  const dayHour = cut.dayStartMs / HOUR_MS;
  const rows: PresenceRow[] = [];
  const days = new Map<string, PresenceRow>();
  const dayRow = (facet: string, facetValue: string) => {
    const id = `${facet}\u0000${facetValue}`;
    let row = days.get(id);
    if (!row) days.set(id, (row = { key: [organizationId, facet, facetValue, 24, dayHour], presence: new Presence() }));
    return row.presence;
  };
  for (const change of counted.presence.values()) {
    rows.push({ key: [organizationId, change.facet, change.facetValue, 1, change.hour], presence: change.presence });
    dayRow(change.facet, change.facetValue).merge(change.presence);
  }
  for (const [facet, facetValue, presence] of laterHours) dayRow(facet, facetValue).mergeEncoded(presence);
  return [...rows, ...days.values()];
}
