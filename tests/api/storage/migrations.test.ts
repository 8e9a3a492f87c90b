// The data model has one source (prisma/schema.base.prisma), two generated provider schemas, two
// migration histories and a start-time runner (lib/storage/migrate.ts). These tests keep all of
// them in step, with Prisma's own tools as the judge, on SQLite and on PostgreSQL.
import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type DatabaseKind, resolveDatabase } from "../../../lib/storage/database-url";
import { closeDb, createDb, databaseKind, getDb, type Db } from "../../../lib/storage/db";
import { migrateDatabase } from "../../../lib/storage/migrate";
import { reloadConfig } from "../../../lib/shared/config";
import {
  createPostgresTestDatabase,
  createSqliteTestDatabase,
  describePostgres,
  type TestDatabase,
} from "../../helpers/test-databases";

const root = process.cwd();
const MODEL_TABLES = ["ApiKey", "Organization", "Request", "RequestBody", "RequestProperty", "User"];

type Run = { code: number | null; stdout: string; output: string };

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env } });
    let stdout = "";
    let output = "";
    child.stdout.on("data", (chunk) => ((stdout += chunk), (output += chunk)));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, output }));
  });
}

function prisma(kind: DatabaseKind, url: string, args: string[]): Promise<Run> {
  return run(["node_modules/prisma/build/index.js", ...args, "--config", `prisma/${kind}/prisma.config.ts`], {
    DATABASE_URL: url,
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
  });
}

/** Prisma's verdict on a live database: introspect it, then diff that against the schema. */
async function diffDatabaseAgainstSchema(kind: DatabaseKind, url: string, scratch: string): Promise<Run> {
  const pulled = await prisma(kind, url, ["db", "pull", "--print"]);
  expect(pulled.code, pulled.output).toBe(0);
  const introspected = join(scratch, `${kind}-introspected.prisma`);
  // Prisma prints its "datasource url is unused with an adapter" warning on stdout, above the schema.
  await writeFile(introspected, pulled.stdout.slice(pulled.stdout.search(/^(generator|datasource) /m)));
  return prisma(kind, url, [
    "migrate", "diff", "--from-schema-datamodel", introspected, "--to-schema-datamodel", `prisma/${kind}/schema.prisma`, "--exit-code",
  ]);
}

async function committedMigrations(kind: DatabaseKind): Promise<string[]> {
  const entries = await readdir(join(root, "prisma", kind, "migrations"), { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
}

/** Takes the lock migrateDatabase waits for (SQLite write lock, PostgreSQL advisory lock). */
async function holdMigrationLock(url: string): Promise<() => Promise<void>> {
  const resolved = resolveDatabase(url);
  if (resolved.kind === "sqlite") {
    const db = new Database(resolved.filePath);
    db.exec("BEGIN IMMEDIATE");
    return async () => {
      db.exec("COMMIT");
      db.close();
    };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query("SELECT pg_advisory_lock(72707369)");
  return () => client.end();
}

const TABLES_SQL: Record<DatabaseKind, string> = {
  sqlite: `SELECT name FROM sqlite_master WHERE type = 'table'`,
  postgres: `SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public'`,
};

describe("provider schemas", () => {
  it("match what the generator writes from schema.base.prisma", async () => {
    const check = await run(["scripts/prisma-generate.mjs", "--check"]);
    expect(check.code, `${check.output}\nSomeone edited prisma/schema.base.prisma without regenerating.`).toBe(0);
  });
});

const providers = [
  { kind: "sqlite", suite: (name: string, fn: () => void) => describe(name, fn), create: createSqliteTestDatabase },
  { kind: "postgres", suite: describePostgres, create: createPostgresTestDatabase },
] as const;

for (const { kind, suite, create } of providers) {
  suite(`${kind} migrations`, () => {
    const cleanups: (() => Promise<unknown>)[] = [];
    const clients: Db[] = [];

    async function database(options?: { migrated?: boolean; partitioned?: boolean }): Promise<TestDatabase> {
      const db = await create(options);
      cleanups.push(db.cleanup);
      return db;
    }
    function client(url: string): Db {
      const db = createDb(url);
      clients.push(db);
      return db;
    }
    async function scratchDir(): Promise<string> {
      const dir = await mkdtemp(join(tmpdir(), "trace-migrations-"));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      return dir;
    }
    async function tableNames(url: string): Promise<string[]> {
      const rows = await client(url).$queryRawUnsafe<{ name: string }[]>(TABLES_SQL[kind]);
      return rows.map((row) => row.name);
    }
    async function historyNames(url: string): Promise<string[]> {
      const rows = await client(url).$queryRawUnsafe<{ migration_name: string }[]>(
        `SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      return rows.map((row) => row.migration_name);
    }

    afterEach(async () => {
      await Promise.all(clients.splice(0).map((db) => db.$disconnect()));
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    it("committed migrations rebuild exactly the schema (prisma migrate diff sees no drift)", async () => {
      const { url } = await database({ migrated: false });
      const diff = await prisma(kind, url, [
        "migrate", "diff", "--from-migrations", `prisma/${kind}/migrations`, "--to-schema-datamodel", `prisma/${kind}/schema.prisma`, "--exit-code",
      ]);
      expect(diff.code, `${diff.output}\nThe schema changed without a migration: run \`npm run db:new-migration -- --name <name>\`.`).toBe(0);
    });

    // On PostgreSQL a start then partitions the request tables (partitions.test.ts), which Prisma
    // cannot express: the migrations are checked on the tables they make.
    it("a database migrated at start matches the schema, and prisma migrate status agrees", async () => {
      const { url } = await database({ partitioned: false });
      const status = await prisma(kind, url, ["migrate", "status"]);
      expect(status.code, status.output).toBe(0);
      expect(status.output).toContain("Database schema is up to date!");
      const diff = await diffDatabaseAgainstSchema(kind, url, await scratchDir());
      expect(diff.code, diff.output).toBe(0);
    });

    it("the drift check notices a database that differs from the schema", async () => {
      const { url } = await database({ partitioned: false });
      await client(url).$executeRawUnsafe(`DROP INDEX "Request_organizationId_traceId_source_idx"`);
      const diff = await diffDatabaseAgainstSchema(kind, url, await scratchDir());
      expect(diff.code, diff.output).toBe(2);
      expect(diff.stdout).toContain("Added index on columns (organizationId, traceId, source)");
    });

    it("migrateDatabase creates every table on an empty database", async () => {
      const { url } = await database({ migrated: false });
      const { applied } = await migrateDatabase(url);
      expect(applied).toEqual(await committedMigrations(kind));
      expect(await tableNames(url)).toEqual(expect.arrayContaining([...MODEL_TABLES, "_prisma_migrations"]));
    });

    it("migrateDatabase applies nothing to an up-to-date database", async () => {
      const { url } = await database();
      expect(await migrateDatabase(url)).toEqual({ applied: [] });
      expect(await historyNames(url)).toEqual(await committedMigrations(kind));
    });

    it("migrateDatabase applies only the missing migrations to an older database", async () => {
      const { url } = await database({ migrated: false });
      const migrations = join(await scratchDir(), "migrations");
      await cp(join(root, "prisma", kind, "migrations"), migrations, { recursive: true });
      expect((await migrateDatabase(url, migrations)).applied).toEqual(await committedMigrations(kind));

      await mkdir(join(migrations, "29990101000000_add_probe"));
      await writeFile(join(migrations, "29990101000000_add_probe", "migration.sql"), `CREATE TABLE "Probe" ("id" TEXT NOT NULL PRIMARY KEY);\n`);
      expect(await migrateDatabase(url, migrations)).toEqual({ applied: ["29990101000000_add_probe"] });
      expect(await tableNames(url)).toContain("Probe");
      expect(await migrateDatabase(url, migrations)).toEqual({ applied: [] });
    });

    it("a failing migration is rolled back, not recorded, and retried at the next start", async () => {
      const { url } = await database();
      const migrations = join(await scratchDir(), "migrations");
      await cp(join(root, "prisma", kind, "migrations"), migrations, { recursive: true });
      await mkdir(join(migrations, "29990101000000_broken"));
      await writeFile(
        join(migrations, "29990101000000_broken", "migration.sql"),
        `CREATE TABLE "Half" ("id" TEXT NOT NULL PRIMARY KEY);\nINSERT INTO "NoSuchTable" VALUES (1);\n`,
      );
      await expect(migrateDatabase(url, migrations)).rejects.toThrow(/29990101000000_broken failed and was rolled back/);
      expect(await tableNames(url)).not.toContain("Half");
      expect(await historyNames(url)).toEqual(await committedMigrations(kind));
      await expect(migrateDatabase(url, migrations)).rejects.toThrow(/29990101000000_broken/);
    });

    it("two processes starting at once apply each migration exactly once", async () => {
      const { url } = await database({ migrated: false });
      const script = `import(${JSON.stringify(join(root, "lib/storage/migrate.ts"))})
        .then((m) => m.migrateDatabase(${JSON.stringify(url)}))
        .then((result) => console.log(JSON.stringify(result)))`;
      // Hold the lock the runner takes, so that both processes are surely waiting on it at once.
      const release = await holdMigrationLock(url);
      const starts = Promise.all([1, 2].map(() => run(["node_modules/tsx/dist/cli.mjs", "--eval", script])));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await release();
      for (const start of await starts) expect(start.code, start.output).toBe(0);
      const applied = (await starts).flatMap((start) => (JSON.parse(start.stdout) as { applied: string[] }).applied);
      expect(applied.sort()).toEqual(await committedMigrations(kind));
      expect(await historyNames(url)).toEqual(await committedMigrations(kind));
    });

    it("every model round-trips through the client", async () => {
      const { url } = await database();
      const db = client(url);
      const startTime = new Date("2026-01-02T03:04:05.678Z");
      const organization = await db.organization.create({
        data: {
          name: "Acme",
          users: { create: { email: "ada@example.com", name: null, passwordHash: "scrypt$c2FsdA==$aGFzaA==" } },
          apiKeys: { create: { name: "ci", keyHash: "f".repeat(64), prefix: "sk-trace-abc", lastUsedAt: startTime } },
        },
      });
      await db.request.create({
        data: {
          id: "req_1",
          organizationId: organization.id,
          source: "proxy",
          provider: "openai",
          model: "gpt-4o-mini",
          path: "/v1/chat/completions",
          status: 200,
          startTime,
          endTime: new Date(startTime.getTime() + 1234),
          latencyMs: 1234.5,
          timeToFirstTokenMs: 87.25,
          stream: true,
          promptTokens: 12,
          completionTokens: 34,
          totalTokens: 46,
          costUsd: 0.000123,
          traceId: "trace-1",
          nodeId: "a:b",
          parentNodeId: "a",
          sessionId: "s-1",
          userId: "u-1",
          properties: JSON.stringify({ Env: "prod" }),
          body: { create: { requestBody: '{"model":"gpt-4o-mini"}', responseBody: '{"id":"x"}', requestHeaders: "{}", startTime } },
          propertyRows: { create: { organizationId: organization.id, key: "env", value: "prod", startTime } },
        },
      });

      const stored = await db.organization.findUniqueOrThrow({
        where: { id: organization.id },
        include: { users: true, apiKeys: true, requests: { include: { body: true, propertyRows: true } } },
      });
      expect(stored).toMatchObject({
        name: "Acme",
        users: [{ email: "ada@example.com", name: null, role: "member" }],
        apiKeys: [{ name: "ci", prefix: "sk-trace-abc", lastUsedAt: startTime, revokedAt: null }],
        requests: [
          {
            id: "req_1",
            method: "POST",
            status: 200,
            errorReason: null,
            cancelled: false,
            startTime,
            latencyMs: 1234.5,
            timeToFirstTokenMs: 87.25,
            stream: true,
            cachedTokens: null,
            tokensEstimated: false,
            costUsd: 0.000123,
            costUnknown: false,
            properties: '{"Env":"prod"}',
            body: { requestBody: '{"model":"gpt-4o-mini"}', responseBody: '{"id":"x"}', responseHeaders: "{}" },
            propertyRows: [{ key: "env", value: "prod", startTime }],
          },
        ],
      });
      expect(stored.createdAt).toBeInstanceOf(Date);

      await db.organization.delete({ where: { id: organization.id } });
      expect(await db.request.count()).toBe(0); // cascades reach every child table
      expect(await db.requestBody.count()).toBe(0);
      expect(await db.requestProperty.count()).toBe(0);
    });
  });
}

describe("sqlite table redefinition", () => {
  it("keeps the rows of child tables when a migration rebuilds their parent", async () => {
    const { url, cleanup } = await createSqliteTestDatabase();
    const scratch = await mkdtemp(join(tmpdir(), "trace-migrations-"));
    const db = createDb(url);
    try {
      await db.organization.create({ data: { id: "org", name: "Acme", users: { create: { email: "a@b.c", passwordHash: "x" } } } });
      const migrations = join(scratch, "migrations");
      await cp(join(root, "prisma", "sqlite", "migrations"), migrations, { recursive: true });
      await mkdir(join(migrations, "29990101000000_add_plan"));
      // The shape Prisma writes for SQLite when a column change needs the table rebuilt: with
      // foreign keys on, its DROP TABLE would cascade into User.
      await writeFile(
        join(migrations, "29990101000000_add_plan", "migration.sql"),
        `PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Organization" ("id" TEXT NOT NULL PRIMARY KEY, "name" TEXT NOT NULL, "plan" TEXT NOT NULL DEFAULT 'free', "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);
INSERT INTO "new_Organization" ("id", "name", "createdAt") SELECT "id", "name", "createdAt" FROM "Organization";
DROP TABLE "Organization";
ALTER TABLE "new_Organization" RENAME TO "Organization";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
`,
      );
      expect(await migrateDatabase(url, migrations)).toEqual({ applied: ["29990101000000_add_plan"] });
      expect(await db.user.count({ where: { organizationId: "org" } })).toBe(1);
    } finally {
      await db.$disconnect();
      await rm(scratch, { recursive: true, force: true });
      await cleanup();
    }
  });
});

describe("getDb", () => {
  const previousUrl = process.env.DATABASE_URL;
  let database: TestDatabase | undefined;
  afterAll(async () => {
    await closeDb();
    process.env.DATABASE_URL = previousUrl;
    reloadConfig();
    await database?.cleanup();
  });

  it("serves one client per process for DATABASE_URL until closeDb", async () => {
    database = await createSqliteTestDatabase();
    process.env.DATABASE_URL = database.url;
    reloadConfig();
    expect(databaseKind()).toBe("sqlite");
    const db = getDb();
    expect(getDb()).toBe(db);
    expect(await db.organization.count()).toBe(0);
    await closeDb();
    expect(getDb()).not.toBe(db);
  });
});
