import { describe, expect, it } from "vitest";
import type { LoggedRequest } from "@/lib/domain/logged-request";
import { LogWriter } from "@/lib/ingest/writer/log-writer";

// writeMany is what lets an OTLP export answer 200 only once its spans are stored.
const records = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i}` }) as LoggedRequest);

describe("log writer: writing a batch of records together", () => {
  it("resolves only once every record of the batch is stored, across several save batches", async () => {
    const saved: string[] = [];
    const writer = new LogWriter({ maxBatchSize: 3, save: async (batch: LoggedRequest[]) => void saved.push(...batch.map((r) => r.id)) });
    await writer.writeMany(records("a", 7));
    expect(saved).toEqual(["a0", "a1", "a2", "a3", "a4", "a5", "a6"]);
    expect(writer.stats()).toMatchObject({ written: 7, queued: 0 });
  });

  it("waits through a storage outage and resolves when the records finally land", async () => {
    let down = true;
    const saved: string[] = [];
    const writer = new LogWriter({
      retryDelayMs: 5,
      maxRetryDelayMs: 5,
      save: async (batch: LoggedRequest[]) => {
        if (down) throw new Error("database is locked");
        saved.push(...batch.map((r) => r.id));
      },
    });
    let resolved = false;
    const written = writer.writeMany(records("b", 2)).then(() => (resolved = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(resolved).toBe(false);
    down = false;
    await written;
    expect(saved).toEqual(["b0", "b1"]);
  });

  it("refuses a batch that does not fit whole, queueing none of it", async () => {
    const writer = new LogWriter({ maxQueueLength: 5, retryDelayMs: 1000, save: () => Promise.reject(new Error("down")) });
    void writer.writeMany(records("c", 4)).catch(() => {});
    await expect(writer.writeMany(records("d", 2))).rejects.toThrow("log queue is full");
    expect(writer.stats()).toMatchObject({ queued: 4, dropped: 2 });
  });

  it("an empty batch is stored at once", async () => {
    const writer = new LogWriter({ save: async () => {} });
    await expect(writer.writeMany([])).resolves.toBeUndefined();
  });
});
