import { describe, expect, it } from "vitest";
import { LogWriter } from "@/lib/ingest/writer/log-writer";
import type { LoggedRequest } from "@/lib/domain/logged-request";
import type { CapturedExchange } from "@/lib/ingest/proxy/captured-exchange";

const record = (id: string) => ({ id }) as LoggedRequest;

function capturedExchange(id: string): CapturedExchange {
  const response = { id: "chatcmpl-1", object: "chat.completion", model: "gpt-4o-mini", choices: [], usage: { prompt_tokens: 11, completion_tokens: 2, total_tokens: 13 } };
  return {
    id,
    organizationId: "org",
    provider: "openai",
    method: "POST",
    path: "/v1/chat/completions",
    rawRequestHeaders: ["Content-Type", "application/json"],
    requestHeaders: { "content-type": "application/json" },
    requestBody: Buffer.from(JSON.stringify({ model: "gpt-4o-mini", messages: [] })),
    status: 200,
    responseHeaders: { "content-type": "application/json" },
    responseBody: Buffer.from(JSON.stringify(response)),
    responseBodyTruncated: false,
    startMs: Date.now(),
    latencyMs: 20,
    timeToFirstByteMs: 20,
    cancelled: false,
    errorReason: null,
  };
}

describe("log writer", () => {
  it("writes everything queued, in batches, in arrival order", async () => {
    const batches: string[][] = [];
    const writer = new LogWriter({ maxBatchSize: 3, save: async (records: LoggedRequest[]) => void batches.push(records.map((r) => r.id)) });
    for (let i = 0; i < 7; i++) writer.enqueue(record(`r${i}`));
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
      save: async (records: LoggedRequest[]) => {
        if (down) throw new Error("database is locked");
        stored.push(...records.map((r) => r.id));
      },
    });
    writer.enqueue(record("a"));
    writer.enqueue(record("b"));
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(stored).toEqual([]);
    expect(writer.stats().failedSaves).toBeGreaterThan(0);
    expect(writer.stats().lastError).toBe("database is locked");
    down = false;
    await writer.flush();
    expect(stored).toEqual(["a", "b"]);
  });

  it("drops and counts records past the queue bound instead of growing without limit", async () => {
    const writer = new LogWriter({ maxQueueLength: 2, retryDelayMs: 1000, save: async () => Promise.reject(new Error("down")) });
    expect(writer.enqueue(record("1"))).toBe(true);
    expect(writer.enqueue(record("2"))).toBe(true);
    expect(writer.enqueue(record("3"))).toBe(false);
    expect(writer.stats()).toMatchObject({ queued: 2, dropped: 1 });
  });

  it("an input the save could not normalize is counted and answered; the rest of its batch is stored", async () => {
    const stored: string[] = [];
    const writer = new LogWriter({
      save: async (records: LoggedRequest[]) => {
        const bad = records.findIndex((r) => r.id === "unreadable");
        stored.push(...records.filter((_, i) => i !== bad).map((r) => r.id));
        return bad < 0 ? [] : [{ index: bad, error: new Error("unreadable body") }];
      },
    });
    const refused = writer.write(record("unreadable")).then(() => null, (error: Error) => error.message);
    writer.enqueue(record("ok"));
    await writer.flush();
    expect(await refused).toBe("unreadable body");
    expect(stored).toEqual(["ok"]);
    expect(writer.stats()).toMatchObject({ failedToPrepare: 1, written: 1, queued: 0 });
  });

  it("spools a proxied exchange normalized, once the database is away", async () => {
    // normalization normally happens in save (the write thread); during an outage the writer does it to spool
    const spooled: LoggedRequest[][] = [];
    const spool = { append: (records: LoggedRequest[]) => void spooled.push(records), oldest: () => null, stats: () => ({ records: 0, bytes: 0 }) };
    const writer = new LogWriter({ spool: spool as never, retryDelayMs: 60_000, save: async () => Promise.reject(new Error("database is locked")) });
    writer.enqueue({ exchange: capturedExchange("ex-1") });
    await writer.flush();
    expect(spooled.flat().map((r) => [r.id, r.source, r.model, r.promptTokens])).toEqual([["ex-1", "proxy", "gpt-4o-mini", 11]]);
  });

  it("write() resolves only once the record is stored", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const writer = new LogWriter({ save: () => gate });
    let stored = false;
    const written = writer.write(record("w")).then(() => (stored = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(stored).toBe(false);
    release();
    await written;
    expect(stored).toBe(true);
  });
});

describe("log writer: persist, what the proxy waits on before it ends an answer", () => {
  const settled = (promise: Promise<void>) => {
    let done = false;
    void promise.then(() => (done = true));
    return () => done;
  };

  it("resolves once the record is stored, not before", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const writer = new LogWriter({ save: () => gate });
    const isSettled = settled(writer.persist(record("p"), 60_000));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(isSettled()).toBe(false);
    release();
    await writer.flush();
    await Promise.resolve();
    expect(isSettled()).toBe(true);
  });

  it("gives up waiting after its bound when the database is slow, and the record is still stored later", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const stored: string[] = [];
    const writer = new LogWriter({ save: async (records: LoggedRequest[]) => (await gate, void stored.push(...records.map((r) => r.id))) });
    await writer.persist(record("slow"), 20);
    expect(stored).toEqual([]);
    release();
    await writer.flush();
    expect(stored).toEqual(["slow"]);
  });

  it("does not wait while records can only wait in memory (database down, no spool)", async () => {
    let down = true;
    const stored: string[] = [];
    const writer = new LogWriter({
      retryDelayMs: 5,
      save: async (records: LoggedRequest[]) => {
        if (down) throw new Error("connection refused");
        stored.push(...records.map((r) => r.id));
      },
    });
    const startedAt = Date.now();
    await writer.persist(record("first"), 60_000); // its batch fails: held in memory from now on
    await writer.persist(record("second"), 60_000);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    down = false;
    await writer.flush();
    expect(stored.sort()).toEqual(["first", "second"]);
  });
});

describe("log writer with records the database refuses", () => {
  const refused = (id: string) => Object.assign(new Error(`refused ${id}`), { refused: true });
  const isRefusedData = (error: unknown) => (error as { refused?: boolean }).refused === true;

  it("drops and counts the one refused record; the rest of its batch and later batches are stored", async () => {
    const stored: string[] = [];
    const writer = new LogWriter({
      isRefusedData,
      save: async (records: LoggedRequest[]) => {
        const bad = records.find((r) => r.id === "bad");
        if (bad) throw refused(bad.id);
        stored.push(...records.map((r) => r.id));
      },
    });
    for (const id of ["a", "bad", "b"]) writer.enqueue(record(id));
    await writer.flush();
    writer.enqueue(record("later"));
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
      save: async (records: LoggedRequest[]) => {
        if (outage) throw new Error("database is locked");
        if (records.some((r) => r.id === "bad")) {
          if (records.length === 1) outage = true; // the database goes away right after refusing it
          throw refused("bad");
        }
        stored.push(...records.map((r) => r.id));
      },
    });
    for (const id of ["bad", "x", "y"]) writer.enqueue(record(id));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(stored).toEqual([]);
    outage = false;
    await writer.flush();
    expect(stored).toEqual(["x", "y"]);
    expect(writer.stats()).toMatchObject({ refused: 1, queued: 0 });
  });
});
