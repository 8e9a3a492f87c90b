import { resolveDatabase } from "./database-url";
import { insertOnPostgres } from "./postgres-insert";
import { insertOnSqlite } from "./sqlite-insert";
import type { TableRows } from "./table-rows";
import type Database from "better-sqlite3";
import type pg from "pg";

/**
 * Work that must commit with the rows or not at all (the metrics rollups, which count exactly the
 * rows a write stored): given the keys (first column) of the first table's rows that were really
 * inserted, a replayed row's left out.
 */
export interface InTransaction {
  sqlite(db: Database.Database, insertedKeys: readonly string[]): void;
  postgres(client: pg.PoolClient, insertedKeys: readonly string[]): Promise<void>;
}

/**
 * Inserts rows into several tables in one transaction, without Prisma's per-row cost. A row whose
 * key is already stored is skipped, so replaying a batch (the log spool after a crash) is harmless.
 * Runs on the calling thread, on a connection of that thread's own: the log writer calls it from
 * its write thread.
 *
 * Prisma's createMany runs every row through its query compiler (WebAssembly). Profiled under
 * OTLP ingest into SQLite it managed about 2,300 rows/s, most of the time in that compiler rather
 * than in SQLite; on PostgreSQL about 2,100 rows/s. Not through Prisma even as raw SQL: its raw
 * queries copy every parameter through the same compiler, which made a JSON-parameter insert
 * 2.5× slower than prepared statements. So (figures for this 2-core machine):
 * - SQLite: prepared statements through better-sqlite3 (sqlite-insert.ts; ≈ 20 µs a row).
 * - PostgreSQL: one statement per table through `pg`, with all its rows in a single JSON
 *   parameter that json_populate_recordset unpacks (postgres-insert.ts).
 */
export async function insertTables(tables: readonly TableRows[], inTransaction?: InTransaction): Promise<void> {
  const nonEmpty = tables.filter(({ rows }) => rows.length > 0);
  if (nonEmpty.length === 0) return;
  const database = resolveDatabase();
  if (database.kind === "sqlite") insertOnSqlite(database.filePath, nonEmpty, inTransaction?.sqlite);
  else await insertOnPostgres(database.url, nonEmpty, inTransaction?.postgres);
}
