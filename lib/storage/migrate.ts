// Applies prisma/<provider>/migrations/*/migration.sql at start with a small runner rather than
// `prisma migrate deploy`. Why: the CLI costs about a second per start (it boots the wasm schema
// engine and compiles prisma.config.ts), would have to ship with its adapter shims, and on
// PostgreSQL its driver adapter runs each statement on whichever pool connection is free, so a
// migration is neither atomic nor covered by a lock. This runner takes milliseconds, applies each
// migration and its history row in one transaction, and serialises concurrent starts. It writes
// `_prisma_migrations` exactly as Prisma does (same table, sha256 of migration.sql, same
// timestamps), so `prisma migrate status/deploy/dev` keep working on the same database.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { projectRoot, resolveDatabase } from "./database-url";

type Migration = { name: string; sql: string; checksum: string };

/**
 * Brings the database (default: DATABASE_URL) up to the newest committed migration; returns the
 * names it applied, oldest first. Idempotent; safe when several processes start at once.
 * `migrationsDir` defaults to prisma/<provider>/migrations (tests pass their own).
 */
export async function migrateDatabase(url?: string, migrationsDir?: string): Promise<{ applied: string[] }> {
  const db = resolveDatabase(url);
  const migrations = readMigrations(migrationsDir ?? join(projectRoot, "prisma", db.kind, "migrations"));
  const applied = db.kind === "sqlite" ? migrateSqlite(db.filePath, migrations) : await migratePostgres(db.url, migrations);
  return { applied };
}

function readMigrations(dir: string): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b)) // Prisma's order
    .map((name) => {
      const bytes = readFileSync(join(dir, name, "migration.sql"));
      return { name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
    });
}

// A row with neither finished_at nor rolled_back_at is a migration the Prisma CLI left half
// applied; like `prisma migrate deploy` (P3009), refuse to go on until someone resolves it.
function pendingMigrations(rows: { migration_name: string; finished_at: unknown }[], migrations: Migration[]) {
  const failed = rows.find((row) => row.finished_at === null);
  if (failed) {
    throw new Error(
      `Migration ${failed.migration_name} failed earlier and was left half applied; fix the database, then run \`prisma migrate resolve\`.`,
    );
  }
  const done = new Set(rows.map((row) => row.migration_name));
  return migrations.filter((migration) => !done.has(migration.name));
}

function rolledBack(migration: Migration, error: unknown) {
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`Migration ${migration.name} failed and was rolled back: ${reason}`, { cause: error });
}

const HISTORY_QUERY = `SELECT migration_name, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`;

/** Prisma's own DDL for the history table on SQLite (the CLI's adapter shim reuses it). */
export const SQLITE_HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

// Prisma's JS schema engine stores SQLite timestamps as ISO text with an explicit offset.
const sqliteTimestamp = () => new Date().toISOString().replace("Z", "+00:00");

function migrateSqlite(filePath: string, migrations: Migration[]): string[] {
  const db = new Database(filePath, { timeout: 5000 });
  try {
    // Prisma's table-redefinition migrations (copy, DROP, RENAME) must run with foreign keys off
    // or the DROP cascades deletes; the PRAGMA in the script is a no-op inside our transaction.
    db.pragma("foreign_keys = OFF");
    // IMMEDIATE takes the write lock before reading the history, so a second process waits
    // (busy timeout) and then finds everything applied.
    return db
      .transaction(() => {
        db.exec(SQLITE_HISTORY_TABLE);
        const rows = db.prepare(HISTORY_QUERY).all() as { migration_name: string; finished_at: unknown }[];
        const pending = pendingMigrations(rows, migrations);
        const record = db.prepare(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES (?, ?, ?, ?, ?, 1)`,
        );
        for (const migration of pending) {
          const startedAt = sqliteTimestamp();
          try {
            db.exec(migration.sql);
          } catch (error) {
            throw rolledBack(migration, error);
          }
          record.run(randomUUID(), migration.checksum, sqliteTimestamp(), migration.name, startedAt);
        }
        if ((db.pragma("foreign_key_check") as unknown[]).length > 0) {
          throw new Error(`Migrations ${pending.map((m) => m.name).join(", ")} leave foreign keys violated`);
        }
        return pending.map((migration) => migration.name);
      })
      .immediate();
  } finally {
    db.close();
  }
}

// Prisma Migrate's own advisory lock key: the runner and `prisma migrate` also exclude each other.
const PRISMA_MIGRATE_LOCK = 72707369;

const POSTGRES_HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

async function migratePostgres(url: string, migrations: Migration[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Session lock, released when the connection closes, even if this process dies.
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK]);
    await client.query(POSTGRES_HISTORY_TABLE);
    const { rows } = await client.query(HISTORY_QUERY);
    const pending = pendingMigrations(rows, migrations);
    for (const migration of pending) {
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        // now() is the transaction's start, clock_timestamp() the moment the script finished.
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, clock_timestamp(), $3, now(), 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw rolledBack(migration, error);
      }
    }
    return pending.map((migration) => migration.name);
  } finally {
    await client.end();
  }
}
