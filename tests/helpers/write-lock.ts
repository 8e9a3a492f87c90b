import Database from "better-sqlite3";
import pg from "pg";
import { resolveDatabase } from "../../lib/storage/database-url";

/**
 * Takes the database's write lock from another connection, as a migration or a long transaction
 * would: the app can still read, not write. Resolves to the function that releases it.
 * SQLite: BEGIN EXCLUSIVE (readers go on in WAL mode). PostgreSQL: "Request" locked ACCESS EXCLUSIVE.
 */
export async function holdWriteLock(databaseUrl: string): Promise<() => Promise<void>> {
  const database = resolveDatabase(databaseUrl);
  if (database.kind === "sqlite") {
    const locker = new Database(database.filePath);
    locker.exec("BEGIN EXCLUSIVE");
    return async () => {
      locker.exec("ROLLBACK");
      locker.close();
    };
  }
  const locker = new pg.Client({ connectionString: database.url });
  await locker.connect();
  await locker.query("BEGIN");
  await locker.query(`LOCK TABLE "Request" IN ACCESS EXCLUSIVE MODE`);
  return async () => {
    await locker.query("ROLLBACK");
    await locker.end();
  };
}
