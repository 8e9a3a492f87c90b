import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { spoolDirectoryFor } from "../../../lib/ingest/writer/log-spool";
import { dataDirectory, resolveDatabase } from "../../../lib/storage/database-url";
import { startMockProvider } from "../../mock-provider/server";
import { startApp, type RunningApp } from "../../helpers/app-server";
import { queryDatabase } from "../../helpers/database-contents";
import { postCustomLog, uniqueTag } from "../../helpers/logged-requests";
import { createPostgresTestDatabase, describePostgres, type TestDatabase } from "../../helpers/test-databases";
import { holdWriteLock } from "../../helpers/write-lock";

// Instances started from one directory with one DATABASE_URL (as a process manager starts several
// on one host) each keep their own spool: what one spooled is replayed by itself or, once it is
// dead, by the next instance to start, never taken from under a live one.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function countTagged(databaseUrl: string, tag: string): Promise<number> {
  const [row] = await queryDatabase<{ n: number | string }>(databaseUrl, `SELECT count(*) AS n FROM "RequestProperty" WHERE "key" = 'case' AND "value" = $1`, [tag]);
  return Number(row!.n);
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const spooled = async (app: RunningApp) => ((await (await fetch(`${app.url}/api/health`)).json()) as { logQueue: { spooled: number } }).logQueue.spooled;

describePostgres("spool per instance, several instances from one directory", () => {
  let database: TestDatabase;
  let mock: Awaited<ReturnType<typeof startMockProvider>>;
  const apps: RunningApp[] = [];
  let spoolRoot: string;
  const start = async (env: Record<string, string> = {}) => {
    const app = await startApp({ databaseUrl: database.url, openaiUpstreamUrl: mock.url, env });
    apps.push(app);
    return app;
  };
  /** The pid holding each slot under the database's spool root, by slot name. */
  const holders = () =>
    Object.fromEntries(
      (existsSync(spoolRoot) ? readdirSync(spoolRoot) : []).flatMap((slot) => {
        const lock = readdirSync(join(spoolRoot, slot)).find((name) => /^owner\.\d+\.lock$/.test(name));
        return lock ? [[slot, (JSON.parse(readFileSync(join(spoolRoot, slot, lock), "utf8")) as { pid: number }).pid]] : [];
      }),
    );
  const spoolFiles = (slot: string) => readdirSync(join(spoolRoot, slot)).filter((name) => name.endsWith(".jsonl"));

  beforeAll(async () => {
    database = await createPostgresTestDatabase();
    mock = await startMockProvider();
    spoolRoot = spoolDirectoryFor(dataDirectory(database.url), resolveDatabase(database.url).url);
  });
  afterAll(async () => {
    // Only those still running: one killed or stopped in a test has nothing left to stop.
    await Promise.all(apps.filter((app) => isRunning(app.pid)).map((app) => app.stop()));
    await mock?.close();
    await database?.cleanup();
    rmSync(spoolRoot, { recursive: true, force: true });
  });

  it("two instances get two spools; a killed one's spool is left alone by the other and replayed by its successor", async () => {
    const a = await start();
    const b = await start();
    expect(holders()).toEqual({ "instance-0": a.pid, "instance-1": b.pid });

    const tagA = uniqueTag();
    const tagB = uniqueTag();
    const unlock = await holdWriteLock(database.url);
    try {
      // Answered 200 once on disk: the database cannot be written.
      const answers = await Promise.all([0, 1, 2, 3, 4].flatMap((i) => [postCustomLog(a, tagA, i), postCustomLog(b, tagB, i)]));
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
      expect(await spooled(a)).toBe(5);
      expect(await spooled(b)).toBe(5);
      expect(spoolFiles("instance-0").length).toBeGreaterThan(0);
      expect(spoolFiles("instance-1").length).toBeGreaterThan(0);
      await a.crash();
    } finally {
      await unlock();
    }

    // The survivor stores its own spool, and only its own.
    expect(await waitFor(async () => (await countTagged(database.url, tagB)) === 5 && (await spooled(b)) === 0)).toBe(true);
    expect(await countTagged(database.url, tagA)).toBe(0);
    expect(spoolFiles("instance-0").length).toBeGreaterThan(0);

    // The next instance takes the dead one's slot and replays what it left.
    const successor = await start();
    expect(holders()).toEqual({ "instance-0": successor.pid, "instance-1": b.pid });
    expect(await waitFor(async () => (await countTagged(database.url, tagA)) === 5)).toBe(true);
    expect(await waitFor(async () => (await spooled(successor)) === 0)).toBe(true);
    expect(spoolFiles("instance-0")).toEqual([]);
  }, 180_000);

  it("a LOG_SPOOL_DIR (or INSTANCE_ID) that a running instance uses stops a second one at start, saying why", async () => {
    const directory = mkdtempSync(join(tmpdir(), "explicit-spool-"));
    try {
      const first = await start({ LOG_SPOOL_DIR: directory });
      await expect(start({ LOG_SPOOL_DIR: directory })).rejects.toThrow(new RegExp(`LOG_SPOOL_DIR ${directory} is in use by process ${first.pid} .*every instance needs a spool of its own`));
      await first.stop();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
    const named = await start({ INSTANCE_ID: "blue" });
    expect(holders()["instance-blue"]).toBe(named.pid);
    await expect(start({ INSTANCE_ID: "blue" })).rejects.toThrow(/INSTANCE_ID blue is in use by process \d+ .*give each instance its own INSTANCE_ID/);
  }, 180_000);
});
