import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { processSlot } from "../shared/process-slot";
import { type DatabaseKind, resolveDatabase } from "./database-url";
import { PrismaClient as PostgresClient } from "./generated/postgres/client";
import { PrismaClient as SqliteClient } from "./generated/sqlite/client";

/** The client for either provider: both are generated from the same models, so their APIs match. */
export type Db = SqliteClient;

const CONNECT_TIMEOUT_MS = 5_000;

/** A new client for `url` (default DATABASE_URL). The app uses getDb(); tests use this directly. */
export function createDb(url?: string): Db {
  const db = resolveDatabase(url);
  if (db.kind === "postgres") {
    // A server that stops answering (a network black hole rather than a refusal) fails a connect in
    // seconds instead of never, so the log writer spools and the read API answers with an error.
    return new PostgresClient({ adapter: new PrismaPg({ connectionString: db.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS }) }) as unknown as Db;
  }
  // timeout is the busy timeout. WAL lets readers run beside the log writer, and NORMAL is durable
  // enough under WAL and much faster; both are per connection, hence set on every connect.
  const sqlite = new PrismaBetterSQLite3({ url: db.filePath, timeout: 5000 });
  const connect = async () => {
    const connection = await sqlite.connect();
    await connection.executeScript("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    return connection;
  };
  return new SqliteClient({ adapter: { provider: "sqlite", adapterName: sqlite.adapterName, connect } });
}

// The custom server and Next's bundles each load this module (and dev reloads it), yet the
// process must hold one client per database.
const current = processSlot<Db>("prisma-client");

export function getDb(): Db {
  return (current.value ??= createDb());
}

export async function closeDb(): Promise<void> {
  const db = current.value;
  current.value = undefined;
  await db?.$disconnect();
}

export function databaseKind(): DatabaseKind {
  return resolveDatabase().kind;
}
