import Database from "better-sqlite3";
import type { TableRows } from "./bulk-insert";

/** One table's rows as arrays under one list of column names: half what objects cost to copy across threads. */
export interface ColumnarRows {
  table: string;
  columns: string[];
  rows: unknown[][];
}

export function toColumnar({ table, rows }: TableRows): ColumnarRows {
  const columns = Object.keys(rows[0]!);
  return { table, columns, rows: rows.map((row) => columns.map((column) => row[column])) };
}

interface Connection {
  filePath: string;
  db: Database.Database;
  statements: Map<string, Database.Statement>;
}

let connection: Connection | null = null;

// A lone UTF-16 surrogate is legal in a JS string but not in UTF-8 text: better-sqlite3 would
// store bytes that read back as three U+FFFD. PostgreSQL gets the same one U+FFFD (bulk-insert.ts).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Inserts several tables' rows in one transaction on this thread's own connection (the write
 * thread's: see sqlite-write-thread.ts). A row whose key is already stored is skipped, so
 * replaying a batch is harmless.
 */
export function insertTables(filePath: string, tables: readonly ColumnarRows[]): void {
  const writer = connect(filePath);
  writer.db.transaction(() => {
    for (const { table, columns, rows } of tables) {
      if (rows.length === 0) continue;
      const insert = preparedInsert(writer, table, columns);
      const values = new Array(columns.length);
      for (const row of rows) {
        for (let i = 0; i < row.length; i++) values[i] = sqliteValue(row[i]);
        insert.run(values);
      }
    }
  })();
}

function connect(filePath: string): Connection {
  if (connection?.filePath === filePath) return connection;
  connection?.db.close();
  // Waiting out another connection's write lock blocks only this thread, never the event loop;
  // past the timeout the batch fails and the log writer retries it.
  const db = new Database(filePath, { timeout: 5000 });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  // Checkpoint every ~40 MB of WAL rather than every 4 MB: index pages that batch after batch
  // rewrites are then copied back once, not ten times (measured ≈ 30 % less time per row).
  db.pragma("wal_autocheckpoint = 10000");
  connection = { filePath, db, statements: new Map() };
  return connection;
}

function preparedInsert({ db, statements }: Connection, table: string, columns: string[]): Database.Statement {
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
  if (typeof value === "string") return value.replace(LONE_SURROGATE, "\uFFFD");
  if (value instanceof Date) return value.toISOString().replace("Z", "+00:00");
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}
