// The log writer's SQLite connection, on a thread of its own (started by bulk-insert.ts): a batch
// insert costs ~20 µs a row, and run on the main thread it held up every proxied call and export
// for the whole transaction. Plain JavaScript because worker threads do not inherit the TypeScript
// loader the server runs under.
import { parentPort } from "node:worker_threads";
import Database from "better-sqlite3";

/** @type {{ filePath: string, db: import("better-sqlite3").Database, statements: Map<string, import("better-sqlite3").Statement> } | null} */
let connection = null;

// A lone UTF-16 surrogate is legal in a JS string but not in UTF-8 text: better-sqlite3 would
// store bytes that read back as three U+FFFD. PostgreSQL gets the same one U+FFFD (bulk-insert.ts).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function connect(filePath) {
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

function preparedInsert({ db, statements }, table, columns) {
  const key = `${table}(${columns.join(",")})`;
  let statement = statements.get(key);
  if (!statement) {
    const quote = (name) => `"${name.replaceAll('"', '""')}"`;
    statement = db.prepare(`INSERT INTO ${quote(table)} (${columns.map(quote).join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ON CONFLICT DO NOTHING`);
    statements.set(key, statement);
  }
  return statement;
}

// As Prisma's SQLite adapter writes values, so that Prisma reads them back unchanged and compares
// them correctly: dates as ISO 8601 text ending "+00:00", booleans as 0/1.
function sqliteValue(value) {
  if (typeof value === "string") return value.replace(LONE_SURROGATE, "\uFFFD");
  if (value instanceof Date) return value.toISOString().replace("Z", "+00:00");
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

/** One message = one batch = one transaction: every table's rows land together or not at all. */
parentPort.on("message", ({ id, filePath, tables }) => {
  try {
    const writer = connect(filePath);
    writer.db.transaction(() => {
      for (const { table, columns, rows } of tables) {
        const insert = preparedInsert(writer, table, columns);
        const values = new Array(columns.length);
        for (const row of rows) {
          for (let i = 0; i < row.length; i++) values[i] = sqliteValue(row[i]);
          insert.run(values);
        }
      }
    })();
    parentPort.postMessage({ id, error: null });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error), code: error?.code ?? null });
  }
});
