import Database from "better-sqlite3";
import { processSlot } from "../shared/process-slot";
import { wellFormed, type TableRows } from "./table-rows";

export interface Connection {
  filePath: string;
  db: Database.Database;
  /** prepared once per connection, by a key of the caller's */
  statements: Map<string, Database.Statement>;
}

// One per thread (a worker thread has its own globalThis): the log writer's write thread holds one.
const connection = processSlot<Connection>("storage.sqlite-insert-connection");

/**
 * Inserts several tables' rows in one transaction on this thread's own connection. A row whose key
 * is already stored is skipped, so replaying a batch is harmless. `inTransaction` runs last in the
 * same transaction, with the keys of the first table's rows that were inserted.
 */
export function insertOnSqlite(filePath: string, tables: readonly TableRows[], inTransaction?: (db: Database.Database, insertedKeys: readonly string[]) => void): void {
  const writer = writeConnection(filePath);
  writer.db.transaction(() => {
    const insertedKeys: string[] = [];
    tables.forEach(({ table, columns, rows }, t) => {
      const insert = preparedInsert(writer, table, columns);
      const values = new Array(columns.length);
      for (const row of rows) {
        for (let i = 0; i < row.length; i++) values[i] = sqliteValue(row[i]);
        if (insert.run(values).changes > 0 && t === 0) insertedKeys.push(row[0] as string);
      }
    });
    inTransaction?.(writer.db, insertedKeys);
  })();
}

/** This thread's writing connection to the file, opened on first use. */
export function writeConnection(filePath: string): Connection {
  if (connection.value?.filePath === filePath) return connection.value;
  connection.value?.db.close();
  // Waiting out another connection's write lock blocks only this thread (the write thread, not the
  // event loop that serves calls); past the timeout the batch fails and the log writer retries it.
  const db = new Database(filePath, { timeout: 5000 });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  // Checkpoint every ~40 MB of WAL rather than every 4 MB: index pages that batch after batch
  // rewrites are then copied back once, not ten times (measured ≈ 30 % less time per row).
  db.pragma("wal_autocheckpoint = 10000");
  connection.value = { filePath, db, statements: new Map() };
  return connection.value;
}

function preparedInsert({ db, statements }: Connection, table: string, columns: readonly string[]): Database.Statement {
  const key = `${table}(${columns.join(",")})`;
  let statement = statements.get(key);
  if (!statement) {
    const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
    statement = db.prepare(
      `INSERT INTO ${quote(table)} (${columns.map(quote).join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ON CONFLICT DO NOTHING`,
    );
    statements.set(key, statement);
  }
  return statement;
}

// As Prisma's SQLite adapter writes values, so that Prisma reads them back unchanged and compares
// them correctly: dates as ISO 8601 text ending "+00:00", booleans as 0/1.
function sqliteValue(value: unknown): unknown {
  if (typeof value === "string") return wellFormed(value);
  if (value instanceof Date) return value.toISOString().replace("Z", "+00:00");
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}
