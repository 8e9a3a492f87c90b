import { describe, expect, it } from "vitest";
import { LogWriter } from "@/lib/ingest/log-writer";
import type { LoggedRequest } from "@/lib/domain/logged-request";

const record = (id: string) => ({ id }) as LoggedRequest;

describe("log writer", () => {
  it("writes everything queued, in batches, in arrival order", async () => {
    const batches: string[][] = [];
    const writer = new LogWriter({ maxBatchSize: 3, save: async (records) => void batches.push(records.map((r) => r.id)) });
    for (let i = 0; i < 7; i++) writer.enqueue(() => record(`r${i}`));
    await writer.flush();
    expect(batches.flat()).toEqual(["r0", "r1", "r2", "r3", "r4", "r5", "r6"]);
    expect(batches.every((b) => b.length <= 3)).toBe(true);
    expect(writer.stats()).toMatchObject({ queued: 0, written: 7, dropped: 0 });
  });

  it("keeps records through a database outage and writes them when it returns", async () => {
    let down = true;
    const stored: string[] = [];
    const writer = new LogWriter({
      retryDelayMs: 5,
      maxRetryDelayMs: 10,
      save: async (records) => {
        if (down) throw new Error("database is locked");
        stored.push(...records.map((r) => r.id));
      },
    });
    writer.enqueue(() => record("a"));
    writer.enqueue(() => record("b"));
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(stored).toEqual([]);
    expect(writer.stats().failedSaves).toBeGreaterThan(0);
    expect(writer.stats().lastError).toBe("database is locked");
    down = false;
    await writer.flush();
    expect(stored).toEqual(["a", "b"]);
  });

  it("prepares each record once even when its batch is retried", async () => {
    let prepared = 0;
    let attempts = 0;
    const writer = new LogWriter({
      retryDelayMs: 1,
      save: async () => {
        if (attempts++ < 2) throw new Error("busy");
      },
    });
    writer.enqueue(() => (prepared++, record("x")));
    await writer.flush();
    expect(prepared).toBe(1);
    expect(attempts).toBe(3);
  });

  it("drops and counts records past the queue bound instead of growing without limit", async () => {
    const writer = new LogWriter({ maxQueueLength: 2, retryDelayMs: 1000, save: async () => Promise.reject(new Error("down")) });
    expect(writer.enqueue(() => record("1"))).toBe(true);
    expect(writer.enqueue(() => record("2"))).toBe(true);
    expect(writer.enqueue(() => record("3"))).toBe(false);
    expect(writer.stats()).toMatchObject({ queued: 2, dropped: 1 });
  });

  it("a record that cannot be prepared is counted and does not block the others", async () => {
    const stored: string[] = [];
    const writer = new LogWriter({ save: async (records) => void stored.push(...records.map((r) => r.id)) });
    writer.enqueue(() => {
      throw new Error("unreadable body");
    });
    writer.enqueue(() => record("ok"));
    await writer.flush();
    expect(stored).toEqual(["ok"]);
    expect(writer.stats().failedToPrepare).toBe(1);
  });

  it("write() resolves only once the record is stored", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const writer = new LogWriter({ save: () => gate });
    let stored = false;
    const written = writer.write(() => record("w")).then(() => (stored = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(stored).toBe(false);
    release();
    await written;
    expect(stored).toBe(true);
  });
});

describe("log writer with records the database refuses", () => {
  const refused = (id: string) => Object.assign(new Error(`refused ${id}`), { refused: true });
  const isRefusedData = (error: unknown) => (error as { refused?: boolean }).refused === true;

  it("drops and counts the one refused record; the rest of its batch and later batches are stored", async () => {
    const stored: string[] = [];
    const writer = new LogWriter({
      isRefusedData,
      save: async (records) => {
        const bad = records.find((r) => r.id === "bad");
        if (bad) throw refused(bad.id);
        stored.push(...records.map((r) => r.id));
      },
    });
    for (const id of ["a", "bad", "b"]) writer.enqueue(() => record(id));
    await writer.flush();
    writer.enqueue(() => record("later"));
    await writer.flush();
    expect(stored).toEqual(["a", "b", "later"]);
    expect(writer.stats()).toMatchObject({ refused: 1, written: 3, queued: 0 });
  });

  it("an outage while isolating a refused record keeps the remaining records for a retry", async () => {
    let outage = false;
    const stored: string[] = [];
    const writer = new LogWriter({
      isRefusedData,
      retryDelayMs: 5,
      save: async (records) => {
        if (outage) throw new Error("database is locked");
        if (records.some((r) => r.id === "bad")) {
          if (records.length === 1) outage = true; // the database goes away right after refusing it
          throw refused("bad");
        }
        stored.push(...records.map((r) => r.id));
      },
    });
    for (const id of ["bad", "x", "y"]) writer.enqueue(() => record(id));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(stored).toEqual([]);
    outage = false;
    await writer.flush();
    expect(stored).toEqual(["x", "y"]);
    expect(writer.stats()).toMatchObject({ refused: 1, queued: 0 });
  });
});
