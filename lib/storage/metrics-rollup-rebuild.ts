import { RollupChanges, hourOf } from "../domain/insights/rollup-changes";
import { resolveDatabase } from "./database-url";
import { scanWholeRecords } from "./metrics";
import { forgetRollupsBuilt, rollupsBuilt } from "./metrics-rollup-reads";
import { applyOnPostgres, applyOnSqlite } from "./metrics-rollups";
import { writePool } from "./postgres-insert";
import { inPostgresTransaction } from "./postgres-transaction";
import { writeConnection } from "./sqlite-insert";

/**
 * Builds the Insights rollups from the stored requests, once, for a database that holds requests
 * from before them (the migration that added them marks an empty database built). Writers are
 * held off meanwhile (SQLite: the write lock; PostgreSQL: a SHARE lock on the requests), so that
 * nothing is counted twice or missed; the log writer spools and retries what it could not write.
 * Until it is done the metrics read the raw rows. Day by day in start-time order, so memory
 * holds one day's totals. Resolves with the requests counted (0 when already built).
 * `rebuild`: build them again even if built (a bench that wrote requests beside the write path).
 */
export async function buildMetricsRollupsIfNeeded(options: { rebuild?: boolean } = {}): Promise<number> {
  if (options.rebuild) await forgetBuilt();
  else if (await rollupsBuilt()) return 0;
  const database = resolveDatabase();
  let counted = 0;
  if (database.kind === "sqlite") {
    const { db } = writeConnection(database.filePath);
    db.exec("BEGIN IMMEDIATE");
    try {
      if (db.prepare(`SELECT 1 FROM "MetricsRollupState" WHERE "id" = 1`).get() === undefined) {
        db.exec(`DELETE FROM "MetricsRollup"; DELETE FROM "MetricsPresence"`);
        const organizations = db.prepare(`SELECT "id" FROM "Organization"`).pluck(true).all() as string[];
        for (const organizationId of organizations) counted += await countOrganization(organizationId, (changes) => applyOnSqlite(db, changes));
        db.prepare(`INSERT INTO "MetricsRollupState" ("id", "builtAt") VALUES (1, ?)`).run(new Date().toISOString().replace("Z", "+00:00"));
      }
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  } else {
    await inPostgresTransaction(writePool(database.url), "BEGIN", async (client) => {
      // Blocks inserts and updates of requests (not reads) until the commit.
      await client.query(`SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0; LOCK TABLE "Request" IN SHARE MODE`);
      if ((await client.query(`SELECT 1 FROM "MetricsRollupState" WHERE "id" = 1`)).rowCount === 1) return;
      await client.query(`DELETE FROM "MetricsRollup"; DELETE FROM "MetricsPresence"`);
      const { rows } = await client.query<{ id: string }>(`SELECT "id" FROM "Organization"`);
      for (const { id } of rows) {
        let pending = Promise.resolve();
        counted += await countOrganization(id, (changes) => (pending = pending.then(() => applyOnPostgres(client, changes))));
        await pending;
      }
      await client.query(`INSERT INTO "MetricsRollupState" ("id", "builtAt") VALUES (1, now())`);
    });
  }
  forgetRollupsBuilt();
  return counted;
}

/**
 * Counts an organization's requests a UTC day at a time, handing each day's changes to `apply`:
 * its day rows are then written once, not once an hour (on PostgreSQL 24 times fewer round trips).
 */
async function countOrganization(organizationId: string, apply: (changes: RollupChanges) => unknown): Promise<number> {
  let changes = new RollupChanges();
  let day: number | null = null;
  let counted = 0;
  await scanWholeRecords(organizationId, (record) => {
    const recordDay = Math.floor(hourOf(record.startMs) / 24);
    if (day !== null && recordDay !== day) {
      apply(changes);
      changes = new RollupChanges();
    }
    day = recordDay;
    changes.addRecord({ ...record, organizationId });
    counted++;
  });
  if (!changes.isEmpty) await apply(changes);
  return counted;
}

/** Drops the built mark (the benches' generator writes requests beside the write path). */
async function forgetBuilt(): Promise<void> {
  const database = resolveDatabase();
  if (database.kind === "sqlite") writeConnection(database.filePath).db.exec(`DELETE FROM "MetricsRollupState"`);
  else await writePool(database.url).query(`DELETE FROM "MetricsRollupState"`);
  forgetRollupsBuilt();
}
