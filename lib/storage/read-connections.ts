import Database from "better-sqlite3";
import pg from "pg";
import { processSlot } from "../shared/process-slot";

/**
 * Connections for the reads that go beside Prisma (trace rows, metrics): statements that return
 * plain arrays, read in bulk, where Prisma's turning of every value into an object would cost
 * more than the query.
 */

// The custom server and Next's bundles each load this module, yet the process should hold one pool.
const postgresPoolSlot = processSlot<{ url: string; pool: pg.Pool }>("trace-rows:postgres-pool");

/** A small pool of PostgreSQL connections beside Prisma's own, shared by the bulk reads. */
export function readPool(url: string): pg.Pool {
  const current = postgresPoolSlot.value;
  if (current?.url === url) return current.pool;
  void current?.pool.end();
  // Idle connections do not hold the process open. A server that stops answering fails the
  // connect in 5 s, as Prisma's does (db.ts), instead of hanging.
  const pool = new pg.Pool({ connectionString: url, max: 4, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000, allowExitOnIdle: true });
  pool.on("error", () => {}); // an idle connection the server dropped: the next query reconnects
  postgresPoolSlot.value = { url, pool };
  return pool;
}

const genericPlanPoolSlot = processSlot<{ url: string; pool: pg.Pool }>("read-connections:generic-plan-pool");

/**
 * A small pool whose connections plan each named statement once, for its first values, and keep
 * that generic plan (plan_cache_mode = force_generic_plan) rather than planning for each call's
 * values. Only for statements that read every partition of a partitioned table whatever their
 * values: planning one visits each partition (milliseconds at a few dozen), running it with its
 * values then prunes as it starts. A statement bounded in time belongs elsewhere: planned for its
 * values, PostgreSQL leaves out the partitions outside the range before looking at them.
 */
export function genericPlanPool(url: string): pg.Pool {
  const current = genericPlanPoolSlot.value;
  if (current?.url === url) return current.pool;
  void current?.pool.end();
  const pool = new pg.Pool({
    connectionString: url,
    max: 2,
    idleTimeoutMillis: 60_000,
    connectionTimeoutMillis: 5_000,
    allowExitOnIdle: true,
    options: "-c plan_cache_mode=force_generic_plan",
  });
  pool.on("error", () => {});
  genericPlanPoolSlot.value = { url, pool };
  return pool;
}

export async function closeReadPool(): Promise<void> {
  const pools = [postgresPoolSlot.value, genericPlanPoolSlot.value];
  postgresPoolSlot.value = undefined;
  genericPlanPoolSlot.value = undefined;
  for (const pool of pools) await pool?.pool.end();
}

/**
 * A reading connection to a SQLite file. Opened read-write but query_only: a read-only open
 * cannot create the WAL index when it is the first connection to the file, and this one must
 * never write anyway. The file is already in WAL mode (migrations and every other connection set
 * it, and it persists), so it reads beside the log writer; timeout is the busy timeout, which a
 * reader meets only while recovery holds the file.
 */
export function openSqliteReader(filePath: string): Database.Database {
  const db = new Database(filePath, { fileMustExist: true, timeout: 5000 });
  db.pragma("query_only = ON");
  return db;
}

interface SqliteReaders {
  filePath: string;
  /** connections not reading right now */
  idle: Database.Database[];
}

// One list per process (the custom server and Next's bundles each load this module).
const sqliteReadersSlot = processSlot<SqliteReaders>("metrics:sqlite-readers");

/**
 * A reading connection of its own for a while (a scan that yields to the event loop keeps its
 * statement open across the yields: one consistent snapshot under WAL), given back by `release`;
 * one that failed is closed rather than given back.
 */
export function takeSqliteReader(filePath: string): { db: Database.Database; release(healthy: boolean): void } {
  let readers = sqliteReadersSlot.value;
  if (readers?.filePath !== filePath) {
    for (const db of readers?.idle ?? []) db.close();
    sqliteReadersSlot.value = readers = { filePath, idle: [] };
  }
  const db = readers.idle.pop() ?? openSqliteReader(filePath);
  const taken = readers;
  return {
    db,
    release(healthy) {
      if (healthy && sqliteReadersSlot.value === taken) taken.idle.push(db);
      else db.close();
    },
  };
}

/** `read` on an idle reading connection, synchronously. */
export function withSqliteReader<T>(filePath: string, read: (db: Database.Database) => T): T {
  const reader = takeSqliteReader(filePath);
  let healthy = false;
  try {
    const result = read(reader.db);
    healthy = true;
    return result;
  } finally {
    reader.release(healthy);
  }
}

export function closeSqliteReaders(): void {
  const readers = sqliteReadersSlot.value;
  sqliteReadersSlot.value = undefined;
  for (const db of readers?.idle ?? []) db.close();
}
