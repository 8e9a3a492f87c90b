import type { LoggedRequest } from "../../domain/logged-request";
import type { LogSpool } from "./log-spool";
import { toLoggedRequest, type LogInput, type Unprepared } from "./log-input";

export interface LogWriterOptions {
  /**
   * Stores a batch in one transaction, normalizing the inputs that still need it. Resolves with
   * the inputs that could not be normalized (left out, counted); rejects when nothing was stored.
   */
  save(inputs: LogInput[]): Promise<readonly Unprepared[] | void>;
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
  input: LogInput;
  settle?: (error: Error | null) => void;
  /** persist: settled as soon as the record can only wait in memory, not once stored */
  settleWhenHeld?: boolean;
}

/**
 * Writes logged requests in batches, off the request path (group commit: while one batch is being
 * written, the next one gathers). Fails open: when a save fails for an outage, the batch and
 * everything arriving after it go to the spool on disk (or, without room there, wait in memory up
 * to a bound; past it they are dropped and counted), and the database is retried with backoff;
 * once it answers, the spool is replayed oldest first. Normalizing a proxied exchange (JSON
 * parsing, stream reassembly, token counting, pricing) is left to save, off the hot path.
 */
export class LogWriter {
  private readonly queue: PendingRecord[] = [];
  private running = false;
  /** the last save failed for an outage: new records go straight to the spool until a retry succeeds */
  private outage = false;
  /** records wait in memory for the database (no spool, or the spool is full or failing) */
  private holdingInMemory = false;
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
  enqueue(input: LogInput): boolean {
    return this.push({ input });
  }

  /** Queues a record and resolves once it is stored (or durably spooled); rejects if it cannot be queued or prepared. */
  write(input: LogInput): Promise<void> {
    return new Promise((resolve, reject) => {
      const accepted = this.push({ input, settle: (error) => (error ? reject(error) : resolve()) });
      if (!accepted) reject(new Error("log queue is full"));
    });
  }

  /**
   * Queues a record and resolves once it is durable (stored or spooled), after `maxWaitMs` at
   * most (a database that hangs rather than refuses), or at once when it cannot be durable soon:
   * while records wait in memory for the database (no spool, or the spool is full) or when the
   * queue is full (counted). Never rejects: for a caller that must not wait on logging longer
   * than a commit, such as the proxy before it ends a response.
   *
   * Past the bound the record is not also spooled: a copy per late record, each replayed before
   * the queue, turned a slow database into a spiral of one-record files (seen at two instances
   * under load).
   */
  persist(input: LogInput, maxWaitMs: number): Promise<void> {
    if (this.holdingInMemory) {
      this.enqueue(input);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      const settle = () => {
        clearTimeout(timer);
        resolve();
      };
      if (!this.push({ input, settle, settleWhenHeld: true })) settle();
    });
  }

  /**
   * Queues prepared records together and resolves once all of them are stored (or durably spooled). All or none are
   * queued: a batch that does not fit is refused (and counted) whole, so a caller that retries
   * never finds half of it already stored.
   */
  writeMany(records: readonly LogInput[]): Promise<void> {
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
      for (const record of records) this.push({ input: record, settle });
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
        const unsaved = await this.store(spooled.records.map((record) => ({ input: record })));
        if (unsaved.length > 0) {
          this.enterOutage(); // the file stays; stored records are ignored when it is replayed again
          continue;
        }
        this.counters.unreadableSpooled += spooled.unreadable;
        spooled.remove();
        this.recovered();
        continue;
      }
      if (this.queue.length === 0) break;
      const batch = this.queue.splice(0, this.maxBatchSize);
      this.inFlight = batch.length;
      const unsaved = await this.store(batch);
      this.inFlight = 0;
      if (unsaved.length > 0) {
        this.park(unsaved);
        this.enterOutage();
        continue;
      }
      this.recovered();
    }
    this.running = false;
    if (this.queue.length > 0) return; // waiting for the database, in memory (no spool, or spool full)
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Saves records in one batch. If the database refuses the batch for its data, saves them one by
   * one so only the refused records are dropped (counted). Returns the records an outage left
   * unsaved: none when all were stored or refused.
   */
  private async store(items: PendingRecord[]): Promise<PendingRecord[]> {
    try {
      const unprepared = items.length > 0 ? ((await this.options.save(items.map(({ input }) => input))) ?? []) : [];
      this.inFlight = 0; // before settling: a caller woken by its write sees the queue as it now is
      const failed = new Map(unprepared.map(({ index, error }) => [index, error]));
      for (const [index, error] of failed) this.notPrepared(items[index]!, error);
      this.counters.written += items.length - failed.size;
      items.forEach((item, index) => failed.has(index) || item.settle?.(null));
      return [];
    } catch (error) {
      this.counters.failedSaves++;
      this.report(error);
      if (!this.options.isRefusedData?.(error)) return items;
    }
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      try {
        const [unprepared] = (await this.options.save([item.input])) ?? [];
        if (unprepared) {
          this.notPrepared(item, unprepared.error);
          continue;
        }
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
      if (!this.park(this.queue.splice(0, this.maxBatchSize))) break;
    }
  }

  /**
   * Keeps records the database could not take: durably in the spool when there is one (they are
   * then answered as accepted), else (or when the spool is full or its disk fails) at the head of
   * the queue in memory, normalized, so a retry does not redo the work. Returns true when spooled.
   */
  private park(pending: PendingRecord[]): boolean {
    const items = this.normalized(pending);
    if (items.length === 0) return true;
    if (this.options.spool) {
      try {
        this.options.spool.append(items.map(({ input }) => input as LoggedRequest));
        for (const item of items) item.settle?.(null);
        return true;
      } catch (error) {
        this.report(error);
      }
    }
    for (const item of items) {
      if (!item.settleWhenHeld) continue;
      item.settle?.(null);
      item.settle = undefined;
    }
    this.queue.unshift(...items);
    this.holdingInMemory = true;
    return false;
  }

  private recovered(): void {
    this.retryDelay = this.baseRetryDelay;
    this.holdingInMemory = false;
  }

  /** The records of inputs, normalized here (only while the database is away); one that cannot be is counted and answered. */
  private normalized(pending: PendingRecord[]): PendingRecord[] {
    const items: PendingRecord[] = [];
    for (const item of pending) {
      try {
        items.push({ ...item, input: toLoggedRequest(item.input) });
      } catch (error) {
        this.notPrepared(item, error);
      }
    }
    return items;
  }

  private notPrepared(item: PendingRecord, error: unknown): void {
    this.counters.failedToPrepare++;
    this.report(error);
    item.settle?.(error instanceof Error ? error : new Error(String(error)));
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
