import type { LoggedRequest } from "../domain/logged-request";

export interface LogWriterOptions {
  save(records: LoggedRequest[]): Promise<void>;
  /**
   * True when a failed save was refused for its data, not an outage: the batch is then written
   * record by record, and only the refused records are dropped (counted), so one bad record can
   * never hold up every log queued after it.
   */
  isRefusedData?(error: unknown): boolean;
  maxBatchSize?: number;
  maxQueueLength?: number;
  /** first retry delay after a failed save; doubles up to maxRetryDelayMs */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  onError?(error: unknown): void;
}

export interface LogWriterStats {
  queued: number;
  written: number;
  /** refused because the queue was full: counted, never silent */
  dropped: number;
  /** could not be normalized (a bug or a body we cannot read): counted */
  failedToPrepare: number;
  /** refused by the database for their data (written one by one to find them): counted */
  refused: number;
  failedSaves: number;
  lastError: string | null;
}

interface PendingRecord {
  prepare: () => LoggedRequest;
  settle?: (error: Error | null) => void;
}

/**
 * Writes logged requests in batches, off the request path (group commit: while one batch is being
 * written, the next one gathers). Fails open: a save that throws is retried with backoff while new
 * records keep queueing up to a bound; past it they are dropped and counted. Normalization (JSON
 * parsing, stream reassembly, token counting, pricing) also happens here, not on the hot path.
 */
export class LogWriter {
  private readonly queue: PendingRecord[] = [];
  private running = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay: number;
  private idleWaiters: Array<() => void> = [];
  private readonly counters = { written: 0, dropped: 0, failedToPrepare: 0, refused: 0, failedSaves: 0, lastError: null as string | null };
  private readonly maxBatchSize: number;
  private readonly maxQueueLength: number;
  private readonly baseRetryDelay: number;
  private readonly maxRetryDelay: number;

  constructor(private readonly options: LogWriterOptions) {
    this.maxBatchSize = options.maxBatchSize ?? 500;
    this.maxQueueLength = options.maxQueueLength ?? 100_000;
    this.baseRetryDelay = options.retryDelayMs ?? 100;
    this.maxRetryDelay = options.maxRetryDelayMs ?? 5_000;
    this.retryDelay = this.baseRetryDelay;
  }

  /** Queues a record for writing; returns false (and counts it) when the queue is full. */
  enqueue(prepare: () => LoggedRequest): boolean {
    return this.push({ prepare });
  }

  /** Queues a record and resolves once it is stored; rejects if it cannot be queued or prepared. */
  write(prepare: () => LoggedRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      const accepted = this.push({ prepare, settle: (error) => (error ? reject(error) : resolve()) });
      if (!accepted) reject(new Error("log queue is full"));
    });
  }

  /**
   * Queues prepared records together and resolves once all of them are stored. All or none are
   * queued: a batch that does not fit is refused (and counted) whole, so a caller that retries
   * never finds half of it already stored.
   */
  writeMany(records: readonly LoggedRequest[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    if (this.queue.length + records.length > this.maxQueueLength) {
      this.counters.dropped += records.length;
      return Promise.reject(new Error("log queue is full"));
    }
    return new Promise((resolve, reject) => {
      let unsettled = records.length;
      let failed = false;
      const settle = (error: Error | null) => {
        if (failed) return;
        if (error) {
          failed = true;
          reject(error);
        } else if (--unsettled === 0) {
          resolve();
        }
      };
      for (const record of records) this.push({ prepare: () => record, settle });
    });
  }

  /** Resolves when everything queued so far has been written (or dropped). */
  async flush(): Promise<void> {
    if (this.queue.length === 0 && !this.running) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): LogWriterStats {
    return { queued: this.queue.length, ...this.counters };
  }

  private push(record: PendingRecord): boolean {
    if (this.queue.length >= this.maxQueueLength) {
      this.counters.dropped++;
      return false;
    }
    this.queue.push(record);
    if (!this.running && !this.retryTimer) {
      this.running = true;
      setImmediate(() => void this.drain());
    }
    return true;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.maxBatchSize);
      const records: LoggedRequest[] = [];
      const settled: PendingRecord[] = [];
      for (const pending of batch) {
        try {
          records.push(pending.prepare());
          settled.push(pending);
        } catch (error) {
          this.counters.failedToPrepare++;
          this.report(error);
          pending.settle?.(error instanceof Error ? error : new Error(String(error)));
        }
      }
      try {
        if (records.length > 0) await this.options.save(records);
      } catch (error) {
        this.counters.failedSaves++;
        this.report(error);
        if (this.options.isRefusedData?.(error)) {
          const outageAt = await this.saveOneByOne(records, settled);
          if (outageAt === null) {
            this.queue.splice(0, batch.length);
            this.retryDelay = this.baseRetryDelay;
            continue;
          }
          const rest = settled.slice(outageAt).map((pending, i) => ({ ...pending, prepare: () => records[outageAt + i]! }));
          this.queue.splice(0, batch.length, ...rest);
          this.scheduleRetry();
          return;
        }
        // Keep the batch at the head, prepared, so a retry does not redo the work.
        const prepared = settled.map((pending, i) => ({ ...pending, prepare: () => records[i]! }));
        this.queue.splice(0, batch.length, ...prepared);
        this.scheduleRetry();
        return;
      }
      this.queue.splice(0, batch.length);
      this.counters.written += records.length;
      this.retryDelay = this.baseRetryDelay;
      for (const pending of settled) pending.settle?.(null);
    }
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Writes each record alone: refused ones are dropped and counted, the rest stored. Returns the
   * index where an outage interrupted it (to retry from there later), or null when done.
   */
  private async saveOneByOne(records: LoggedRequest[], pending: PendingRecord[]): Promise<number | null> {
    for (let i = 0; i < records.length; i++) {
      try {
        await this.options.save([records[i]!]);
        this.counters.written++;
        pending[i]!.settle?.(null);
      } catch (error) {
        if (!this.options.isRefusedData?.(error)) return i;
        this.counters.refused++;
        this.report(error);
        pending[i]!.settle?.(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return null;
  }

  private scheduleRetry(): void {
    this.running = false;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.running = true;
      void this.drain();
    }, this.retryDelay);
    this.retryTimer.unref();
    this.retryDelay = Math.min(this.retryDelay * 2, this.maxRetryDelay);
  }

  private report(error: unknown): void {
    this.counters.lastError = error instanceof Error ? error.message : String(error);
    this.options.onError?.(error);
  }
}
