import { Worker } from "node:worker_threads";
import type { CapturedExchange } from "../proxy/captured-exchange";
import { processSingleton } from "../../shared/process-slot";
import { isExchangeInput, type LogInput } from "./log-input";
import type { SavedBatch } from "./save-log-inputs";
import type { RetentionStep } from "../../storage/retention-steps";
import type { WriteThreadReply, WriteThreadRequest } from "./write-thread-worker";

/**
 * The log writer's save, on a thread of its own. Normalizing a proxied call (body parsing, stream
 * reassembly, token counting, pricing: 40–400 µs), pricing a custom log or a span (13–15 µs) and
 * the insert itself (≈ 20 µs a row on SQLite, whose driver is synchronous) would otherwise hold
 * up every proxied call and export on the thread that serves them. Resolves, once the batch is
 * committed, with the inputs that could not be normalized and the requests stored; rejects, with
 * the database's code, when nothing was stored.
 */
export function saveOnWriteThread(inputs: readonly LogInput[]): Promise<SavedBatch> {
  const transfer: ArrayBuffer[] = [];
  const message = inputs.map((input) => (isExchangeInput(input) ? { exchange: withOwnBytes(input.exchange, transfer) } : input));
  return writeThread()
    .send({ inputs: message }, transfer)
    .then(({ unprepared, stored }) => ({ unprepared: unprepared.map(({ index, message: text }) => ({ index, error: new Error(text) })), stored }));
}

/**
 * Runs a step of a retention run (lib/storage/retention.ts) on the write thread, SQLite's one
 * writer: messages are handled in order, so the step takes its turn between the log batches
 * instead of contending with them for the write lock. Resolves with the step's rows.
 */
export function runRetentionStepOnWriteThread(step: RetentionStep): Promise<number> {
  return writeThread()
    .send({ retentionStep: step }, [])
    .then(({ result }) => result);
}

/** Starts the thread now, so that it loads its modules (price table, tokenizer) before the first batch. */
export function startWriteThread(): void {
  saveOnWriteThread([]).catch(() => {});
}

/**
 * A Buffer is often a view on a larger shared block (a socket read, the 8 KB pool), and a copy
 * across threads would clone the whole block: each body gets its own exact bytes, moved, not copied.
 */
function withOwnBytes(exchange: CapturedExchange, transfer: ArrayBuffer[]): CapturedExchange {
  const own = (bytes: Buffer) => {
    const copy = new Uint8Array(bytes);
    transfer.push(copy.buffer);
    return copy as Buffer;
  };
  return { ...exchange, requestBody: own(exchange.requestBody), responseBody: own(exchange.responseBody) };
}

const WORKER_ENTRY = new URL("./write-thread-entry.mjs", import.meta.url);

type Saved = { unprepared: NonNullable<WriteThreadReply["unprepared"]>; stored: NonNullable<WriteThreadReply["stored"]>; result: number };
type WriteThreadMessage = { inputs: LogInput[] } | { retentionStep: RetentionStep };

/**
 * The thread, started on first use. It holds the process open only while a batch is in flight; if
 * it dies, the batches in flight fail (the log writer retries them) and the next batch starts a
 * new one.
 */
class WriteThread {
  private worker: Worker | null = null;
  private readonly inFlight = new Map<number, { resolve(saved: Saved): void; reject(error: Error): void }>();
  private nextId = 0;

  send(message: WriteThreadMessage, transfer: ArrayBuffer[]): Promise<Saved> {
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.inFlight.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, ...message } satisfies WriteThreadRequest, transfer);
    });
  }

  private start(): Worker {
    const worker = new Worker(WORKER_ENTRY);
    worker.unref();
    worker.on("message", ({ id, error, code, unprepared, stored, result }: WriteThreadReply) => {
      const batch = this.inFlight.get(id);
      this.inFlight.delete(id);
      if (this.inFlight.size === 0) worker.unref();
      if (error === null) batch?.resolve({ unprepared: unprepared ?? [], stored: stored ?? [], result: result ?? 0 });
      // The database's code (SQLITE_BUSY, SQLITE_CONSTRAINT, a SQLSTATE…) tells an outage from refused data.
      else batch?.reject(Object.assign(new Error(error), { code: code ?? undefined }));
    });
    worker.on("error", (error) => this.failAll(worker, error));
    worker.on("exit", (code) => this.failAll(worker, new Error(`log write thread exited with code ${code}`)));
    return worker;
  }

  private failAll(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    for (const batch of this.inFlight.values()) batch.reject(error);
    this.inFlight.clear();
  }
}

const writeThread = () => processSingleton("ingest.write-thread", () => new WriteThread());
