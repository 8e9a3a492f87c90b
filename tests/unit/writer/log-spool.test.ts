import { appendFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LogSpool } from "@/lib/ingest/writer/log-spool";
import { LogWriter } from "@/lib/ingest/writer/log-writer";
import type { LoggedRequest } from "@/lib/domain/logged-request";

const directories: string[] = [];
function spoolDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), "tracewell-spool-"));
  directories.push(directory);
  return directory;
}
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

const record = (id: string) =>
  ({ id, startTime: new Date(Date.UTC(2026, 0, 1, 0, 0, 0)), endTime: new Date(Date.UTC(2026, 0, 1, 0, 0, 1)), properties: { team: "é😀" } }) as unknown as LoggedRequest;

/** A database that can be switched off; what it stored, by id, in order. */
function database() {
  const state = { down: false, stored: [] as LoggedRequest[] };
  const save = async (records: LoggedRequest[]) => {
    if (state.down) throw new Error("SQLITE_BUSY: database is locked");
    state.stored.push(...records);
  };
  return { state, save, ids: () => state.stored.map((r) => r.id) };
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
};

describe("log spool", () => {
  it("during an outage, records are written to disk (writes resolve) and stored once the database returns", async () => {
    const db = database();
    db.state.down = true;
    const spool = new LogSpool(spoolDirectory(), 1_000_000);
    const writer = new LogWriter({ save: db.save, spool, retryDelayMs: 5, maxRetryDelayMs: 20 });

    await writer.write(record("a")); // resolves although the database is down: it is on disk
    writer.enqueue(record("b"));
    writer.enqueue(record("c"));
    await writer.flush();
    expect(writer.stats()).toMatchObject({ queued: 0, spooled: 3 });
    expect(db.ids()).toEqual([]);

    db.state.down = false;
    await until(() => writer.stats().spooled === 0);
    expect(db.ids().sort()).toEqual(["a", "b", "c"]);
    expect(db.state.stored[0]!.startTime).toEqual(new Date(Date.UTC(2026, 0, 1, 0, 0, 0)));
    expect(db.state.stored[0]!.properties).toEqual({ team: "é😀" });
    expect(writer.stats()).toMatchObject({ written: 3, dropped: 0, spoolBytes: 0 });
  });

  it("records spooled before a restart are stored by the next writer on the same directory", async () => {
    const directory = spoolDirectory();
    const first = database();
    first.state.down = true;
    const before = new LogWriter({ save: first.save, spool: new LogSpool(directory, 1_000_000), retryDelayMs: 60_000 });
    for (const id of ["x", "y"]) before.enqueue(record(id));
    await before.flush();
    expect(before.stats().spooled).toBe(2);

    // A new process: nothing in memory, only the files.
    const second = database();
    const after = new LogWriter({ save: second.save, spool: new LogSpool(directory, 1_000_000) });
    await until(() => after.stats().spooled === 0);
    expect(second.ids().sort()).toEqual(["x", "y"]);
    expect(readdirSync(directory)).toEqual([]);
  });

  it("past the spool's size bound, records wait in memory, and past the queue bound they are dropped and counted", async () => {
    const db = database();
    db.state.down = true;
    const writer = new LogWriter({ save: db.save, spool: new LogSpool(spoolDirectory(), 400), maxQueueLength: 3, retryDelayMs: 60_000 });
    const accepted = Array.from({ length: 10 }, (_, i) => writer.enqueue(record(`r${i}`)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (let i = 10; i < 20; i++) accepted.push(writer.enqueue(record(`r${i}`)));
    const stats = writer.stats();
    expect(stats.spooled).toBeGreaterThan(0);
    expect(stats.spoolBytes).toBeLessThanOrEqual(400);
    expect(stats.queued).toBeLessThanOrEqual(3);
    expect(stats.dropped).toBe(accepted.filter((ok) => !ok).length);
    expect(stats.dropped).toBeGreaterThan(0);
  });

  it("a line a crash cut short is counted as unreadable; the rest of its file is stored", async () => {
    const directory = spoolDirectory();
    const db = database();
    db.state.down = true;
    const writer = new LogWriter({ save: db.save, spool: new LogSpool(directory, 1_000_000), retryDelayMs: 60_000 });
    writer.enqueue(record("kept"));
    await writer.flush();
    const [file] = readdirSync(directory);
    appendFileSync(join(directory, file!), '{"id":"cut sh');

    db.state.down = false;
    const after = new LogWriter({ save: db.save, spool: new LogSpool(directory, 1_000_000) });
    await until(() => after.stats().spooled === 0);
    expect(db.ids()).toEqual(["kept"]);
    expect(after.stats().unreadableSpooled).toBe(1);
  });

  it("a spooled file is removed only after its records are stored: a failed replay keeps it for the next try", async () => {
    const directory = spoolDirectory();
    const db = database();
    db.state.down = true;
    const writer = new LogWriter({ save: db.save, spool: new LogSpool(directory, 1_000_000), retryDelayMs: 5, maxRetryDelayMs: 10 });
    writer.enqueue(record("p"));
    await writer.flush();
    await new Promise((resolve) => setTimeout(resolve, 40)); // several failed replays
    expect(readdirSync(directory)).toHaveLength(1);
    expect(writer.stats().failedSaves).toBeGreaterThan(1);
    db.state.down = false;
    await until(() => readdirSync(directory).length === 0);
    expect(db.ids()).toEqual(["p"]);
  });
});
