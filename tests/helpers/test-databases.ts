// Throwaway databases for tests, migrated the way a real start migrates them.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe, it } from "vitest";
import { migrateDatabase } from "../../lib/storage/migrate";
import { createPartitionsAhead, ensurePartitionedLayout } from "../../lib/storage/partitions";

export type TestDatabase = { url: string; cleanup: () => Promise<void> };
/**
 * `migrated`: brought to the newest migration. `partitioned` (PostgreSQL, default: when migrated):
 * then given the time-partitioned layout and the partitions ahead, as a server start does.
 */
type Options = { migrated?: boolean; partitioned?: boolean };

// The local server every machine (CI included) runs; TEST_POSTGRES_SERVER points elsewhere.
const POSTGRES_SERVER = process.env.TEST_POSTGRES_SERVER ?? "postgresql://postgres@127.0.0.1:5432";

/** A fresh SQLite file in its own temp directory; cleanup deletes the directory. */
export async function createSqliteTestDatabase({ migrated = true }: Options = {}): Promise<TestDatabase> {
  const dir = await mkdtemp(join(tmpdir(), "trace-test-"));
  const url = `file:${join(dir, "test.db")}`;
  if (migrated) await migrateDatabase(url);
  return { url, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A fresh database trace_test_<random> on the local PostgreSQL, laid out as a server start leaves it; cleanup drops it. */
export async function createPostgresTestDatabase({ migrated = true, partitioned = migrated }: Options = {}): Promise<TestDatabase> {
  const name = `trace_test_${randomBytes(6).toString("hex")}`;
  await onServer(`CREATE DATABASE "${name}"`);
  const url = `${POSTGRES_SERVER}/${name}`;
  if (migrated) await migrateDatabase(url);
  if (partitioned) {
    await ensurePartitionedLayout(url);
    await createPartitionsAhead(url, new Date());
  }
  // FORCE: a client a failing test left open must not keep the database alive.
  return { url, cleanup: () => onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${POSTGRES_SERVER}/postgres`, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let reachable: Promise<boolean> | undefined;

export function postgresAvailable(): Promise<boolean> {
  reachable ??= onServer("SELECT 1").then(
    () => true,
    () => false,
  );
  return reachable;
}

const postgresUp = await postgresAvailable();

/**
 * describe() for suites that need PostgreSQL. Without a server the suite is skipped and its name
 * says why, except on CI (CI=true), where a missing server is a failure, never a silent skip.
 */
export function describePostgres(name: string, suite: () => void): void {
  if (postgresUp) {
    describe(name, suite);
  } else if (process.env.CI === "true") {
    describe(name, () => {
      it("has a PostgreSQL server to run against", () => {
        throw new Error(`PostgreSQL is not reachable at ${POSTGRES_SERVER} and CI=true: start it, the suite must not be skipped on CI.`);
      });
    });
  } else {
    const reason = `PostgreSQL not reachable at ${POSTGRES_SERVER}`;
    console.warn(`Skipping "${name}": ${reason}.`);
    describe.skip(`${name} [skipped: ${reason}]`, suite);
  }
}
