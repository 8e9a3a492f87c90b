import { createHash } from "node:crypto";
import pg from "pg";
import { processSlot } from "../shared/process-slot";
import { wellFormed, type TableRows } from "./table-rows";
import { inPostgresTransaction } from "./postgres-transaction";

// A lock held elsewhere (a migration, a long transaction) fails the batch after a few seconds
// rather than holding it indefinitely: the log writer then spools it and retries. Set for every
// statement on the write pool's connections, the usage roll-up marks' too (usage-rollups.ts).
const LOCK_TIMEOUT_MS = 3_000;
const STATEMENT_TIMEOUT_MS = 15_000;
// A server that stops answering (a network black hole rather than a refusal) fails a connect in
// seconds instead of never, as Prisma's connections do (db.ts), so the log writer spools.
const CONNECT_TIMEOUT_MS = 5_000;

// One per thread (a worker thread has its own globalThis): the log writer's write thread holds one.
const pool = processSlot<{ url: string; pool: pg.Pool }>("storage.postgres-insert-pool");

/**
 * Inserts several tables' rows in one transaction: one statement per table, with all its rows in a
 * single JSON parameter that json_populate_recordset unpacks, casting each value to its column.
 * A row whose key is already stored is skipped, so replaying a batch is harmless. `inTransaction`
 * runs last in the same transaction, with the keys of the first table's rows that were inserted.
 */
export async function insertOnPostgres(
  url: string,
  tables: readonly TableRows[],
  inTransaction?: (client: pg.PoolClient, insertedKeys: readonly string[]) => Promise<void>,
): Promise<void> {
  await inPostgresTransaction(writePool(url), "BEGIN", async (client) => {
    let insertedKeys: string[] = [];
    for (const [t, table] of tables.entries()) {
      const { rows } = await client.query<unknown[]>({ ...insertStatement(table), values: [rowsAsJson(table)], rowMode: "array" });
      if (t === 0) insertedKeys = rows.map((row) => row[0] as string);
    }
    await inTransaction?.(client, insertedKeys);
  });
}

/** This thread's pool for writes, created on first use. */
export function writePool(url: string): pg.Pool {
  if (pool.value?.url === url) return pool.value.pool;
  void pool.value?.pool.end();
  // Batches are written one at a time; a second connection serves the warm-up or a test's writes
  // beside it. Idle connections do not hold the process open.
  const created = new pg.Pool({
    connectionString: url,
    max: 2,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    lock_timeout: LOCK_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    allowExitOnIdle: true,
  });
  created.on("error", () => {}); // an idle connection the server dropped: the next batch reconnects
  pool.value = { url, pool: created };
  return created;
}

const statements = new Map<string, { name: string; text: string }>();

function insertStatement({ table, columns }: TableRows): { name: string; text: string } {
  const key = `${table}(${columns.join(",")})`;
  let statement = statements.get(key);
  if (!statement) {
    const columnList = columns.map((name) => `"${name}"`).join(", ");
    const text = `INSERT INTO "${table}" (${columnList}) SELECT ${columnList} FROM json_populate_recordset(NULL::"${table}", $1::json) ON CONFLICT DO NOTHING RETURNING "${columns[0]}"`;
    // Named, so parsed once per connection rather than once per batch; named by its text, so every
    // copy of this module in the process gives one statement the same name.
    statement = { name: `tracewell-insert-${createHash("sha1").update(text).digest("hex").slice(0, 16)}`, text };
    statements.set(key, statement);
  }
  return statement;
}

/** The rows as one JSON array of objects keyed by column: what json_populate_recordset unpacks. */
function rowsAsJson({ columns, rows }: TableRows): string {
  const objects = rows.map((row) => {
    const object: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) object[columns[i]!] = row[i];
    return object;
  });
  return JSON.stringify(objects, (_, value: unknown) => (typeof value === "string" ? wellFormed(value) : value));
}
