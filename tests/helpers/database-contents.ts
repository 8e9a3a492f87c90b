// Reads a test database directly, beside the running app: for checks the API cannot make
// ("this secret is stored nowhere", "the admin row exists").
import Database from "better-sqlite3";
import pg from "pg";
import { resolveDatabase } from "../../lib/storage/database-url";

/** Every row of every table (migration history included), by table name. */
export async function readAllTables(url: string): Promise<Record<string, Record<string, unknown>[]>> {
  const database = resolveDatabase(url);
  if (database.kind === "sqlite") {
    const db = new Database(database.filePath, { readonly: true, fileMustExist: true });
    try {
      const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[];
      return Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]]));
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    const contents: Record<string, Record<string, unknown>[]> = {};
    for (const { table_name: name } of tables) contents[name] = (await client.query(`SELECT * FROM "${name}"`)).rows;
    return contents;
  } finally {
    await client.end();
  }
}

/** The whole database as one searchable text: every value of every column of every row, blobs as text. */
export async function databaseAsText(url: string): Promise<string> {
  return JSON.stringify(await readAllTables(url), (_key, value) => {
    if (typeof value === "bigint") return String(value);
    // Buffer.toJSON ran first: turn the byte list back into text a substring search can find.
    if (value?.type === "Buffer" && Array.isArray(value.data)) return Buffer.from(value.data).toString("utf8");
    return value;
  });
}

/** Rows of one query, on either database: placeholders $1, $2… in order, each used once (SQLite gets ?). */
export async function queryDatabase<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const database = resolveDatabase(url);
  if (database.kind === "sqlite") {
    const db = new Database(database.filePath, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql.replace(/\$\d+/g, "?")).all(...params) as T[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
