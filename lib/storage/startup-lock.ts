import pg from "pg";
import { resolveDatabase } from "./database-url";

// An advisory lock key of our own (Prisma Migrate's is 72707369; see migrate.ts).
const STARTUP_LOCK = 7_146_910_015;

/**
 * Runs `work` while holding a lock every instance on the same PostgreSQL database takes for its
 * start-up writes, so instances started together on a fresh database create one default
 * organization and admin, not one each. A session lock: released when the connection closes,
 * even if the process dies. SQLite serves one box: `work` runs as is.
 */
export async function withStartupLock<T>(work: () => Promise<T>, url?: string): Promise<T> {
  const database = resolveDatabase(url);
  if (database.kind === "sqlite") return work();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [STARTUP_LOCK]);
    return await work();
  } finally {
    await client.end();
  }
}
