import type { LoggedRequest } from "../domain/logged-request";
import type { LogSpool } from "./log-spool";

export interface LogWriterOptions {
  save(records: LoggedRequest[]): Promise<void>;
  /**
   * True when a failed save was refused for its data, not an outage: the batch is then written
   * record by record, and only the refused records are dropped (counted), so one bad record can
   * never hold up every log queued after it.
   */
  isRefusedData?(error: unknown): boolean;
  /** durable buffer for outages; without one, records wait in memory (bounded by maxQueueLength) */
  spool?: LogSpool;
  maxBatchSize?: number;
  maxQueueLength?: number;
  /** first retry delay after a failed save; doubles up to maxRetryDelayMs */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  onError?(error: unknown): void;
}

export interface LogWriterStats {
  /** waiting in memory (including the batch being written) */
  queued: number;
  /** waiting on disk in the spool for the database to return */
  spooled: number;
  spoolBytes: number;
  /** spooled lines that could not be read back (a file cut short by a crash): counted */
  unreadableSpooled: number;
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

interface PreparedRecord {
  record: LoggedRequest;
  settle?: (error: Error | null) => void;
}

/**
 * Writes logged requests in batches, off the request path (group commit: while one batch is being
 * written, the next one gathers). Fails open: when a save fails for an outage, the batch and
 * everything arriving after it go to the spool on disk (or, without room there, wait in memory up
 * to a bound; past it they are dropped and counted), and the database is retried with backoff;
 * once it answers, the spool is replayed oldest first. Normalization (JSON parsing, stream
 * reassembly, token counting, pricing) also happens here, not on the hot path.
 */
export class LogWriter {
  private readonly queue: PendingRecord[] = [];
  private running = false;
  /** the last save failed for an outage: new records go straight to the spool until a retry succeeds */
  private outage = false;
  private inFlight = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay: number;
  private idleWaiters: Array<() => void> = [];
  private readonly counters = {
    written: 0,
    dropped: 0,
    failedToPrepare: 0,
    refused: 0,
    unreadableSpooled: 0,
    failedSaves: 0,
    lastError: null as string | null,
  };
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
    // Records spooled before a restart are replayed as soon as the writer starts.
    if (options.spool && options.spool.stats().records > 0) this.startDrain();
  }

  /** Queues a record for writing; returns false (and counts it) when the queue is full. */
  enqueue(prepare: () => LoggedRequest): boolean {
    return this.push({ prepare });
  }

  /** Queues a record and resolves once it is stored (or durably spooled); rejects if it cannot be queued or prepared. */
  write(prepare: () => LoggedRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      const accepted = this.push({ prepare, settle: (error) => (error ? reject(error) : resolve()) });
      if (!accepted) reject(new Error("log queue is full"));
    });
  }

  /**
   * Queues prepared records together and resolves once all of them are stored (or durably spooled). All or none are
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

  /** Resolves when everything queued so far has been written, spooled or dropped. */
  async flush(): Promise<void> {
    if (this.queue.length === 0 && !this.running) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): LogWriterStats {
    const spool = this.options.spool?.stats() ?? { records: 0, bytes: 0 };
    return { queued: this.queue.length + this.inFlight, spooled: spool.records, spoolBytes: spool.bytes, ...this.counters };
  }

  private push(record: PendingRecord): boolean {
    if (this.queue.length >= this.maxQueueLength) {
      this.counters.dropped++;
      return false;
    }
    this.queue.push(record);
    // During an outage with a spool, arrivals are spooled at once rather than held until the retry.
    if (!this.running && (!this.retryTimer || (this.outage && this.options.spool))) this.startDrain();
    return true;
  }

  private startDrain(): void {
    this.running = true;
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.outage) {
        this.spoolQueue();
        break;
      }
      const spooled = this.options.spool?.oldest() ?? null;
      if (spooled) {
        const unsaved = await this.store(spooled.records.map((record) => ({ record })));
        if (unsaved.length > 0) {
          this.enterOutage(); // the file stays; stored records are ignored when it is replayed again
          continue;
        }
        this.counters.unreadableSpooled += spooled.unreadable;
        spooled.remove();
        this.retryDelay = this.baseRetryDelay;
        continue;
      }
      if (this.queue.length === 0) break;
      const batch = this.prepareBatch();
      this.inFlight = batch.length;
      const unsaved = await this.store(batch);
      this.inFlight = 0;
      if (unsaved.length > 0) {
        this.park(unsaved);
        this.enterOutage();
        continue;
      }
      this.retryDelay = this.baseRetryDelay;
    }
    this.running = false;
    if (this.queue.length > 0) return; // waiting for the database, in memory (no spool, or spool full)
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Takes the next batch off the queue, prepared; a record that cannot be prepared is counted and answered. */
  private prepareBatch(): PreparedRecord[] {
    const batch = this.queue.splice(0, this.maxBatchSize);
    const prepared: PreparedRecord[] = [];
    for (const pending of batch) {
      try {
        prepared.push({ record: pending.prepare(), settle: pending.settle });
      } catch (error) {
        this.counters.failedToPrepare++;
        this.report(error);
        pending.settle?.(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return prepared;
  }

  /**
   * Saves records in one batch. If the database refuses the batch for its data, saves them one by
   * one so only the refused records are dropped (counted). Returns the records an outage left
   * unsaved: none when all were stored or refused.
   */
  private async store(items: PreparedRecord[]): Promise<PreparedRecord[]> {
    try {
      if (items.length > 0) await this.options.save(items.map(({ record }) => record));
      this.inFlight = 0; // before settling: a caller woken by its write sees the queue as it now is
      this.counters.written += items.length;
      for (const item of items) item.settle?.(null);
      return [];
    } catch (error) {
      this.counters.failedSaves++;
      this.report(error);
      if (!this.options.isRefusedData?.(error)) return items;
    }
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      try {
        await this.options.save([item.record]);
        this.counters.written++;
        item.settle?.(null);
      } catch (error) {
        if (!this.options.isRefusedData?.(error)) return items.slice(i);
        this.counters.refused++;
        this.report(error);
        item.settle?.(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return [];
  }

  /** While the database is away, queued records go to the spool as they arrive: on disk, not in memory. */
  private spoolQueue(): void {
    while (this.options.spool && this.queue.length > 0) {
      if (!this.park(this.prepareBatch())) break;
    }
  }

  /**
   * Keeps records the database could not take: durably in the spool when there is one (they are
   * then answered as accepted), else (or when the spool is full or its disk fails) at the head of
   * the queue in memory, prepared, so a retry does not redo the work. Returns true when spooled.
   */
  private park(items: PreparedRecord[]): boolean {
    if (items.length === 0) return true;
    if (this.options.spool) {
      try {
        this.options.spool.append(items.map(({ record }) => record));
        for (const item of items) item.settle?.(null);
        return true;
      } catch (error) {
        this.report(error);
      }
    }
    this.queue.unshift(...items.map(({ record, settle }) => ({ prepare: () => record, settle })));
    return false;
  }

  private enterOutage(): void {
    this.outage = true;
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.outage = false;
      if (!this.running) this.startDrain();
    }, this.retryDelay);
    this.retryTimer.unref();
    this.retryDelay = Math.min(this.retryDelay * 2, this.maxRetryDelay);
  }

  private report(error: unknown): void {
    this.counters.lastError = error instanceof Error ? error.message : String(error);
    this.options.onError?.(error);
  }
}
