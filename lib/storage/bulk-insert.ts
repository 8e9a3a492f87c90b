import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { projectRoot, resolveDatabase } from "./database-url";
import { getDb, type Db } from "./db";
import type { LogInput, Unprepared } from "../ingest/log-input";
import type { CapturedExchange } from "../ingest/proxy/captured-exchange";
import { toColumnar, type ColumnarRows } from "./sqlite-insert";
import type { WriteThreadReply } from "./sqlite-write-thread";

type Row = Record<string, unknown>;

const LOCK_TIMEOUT_MS = 3_000;
const STATEMENT_TIMEOUT_MS = 15_000;

/** Rows for one table; every row has the same keys, which are the column names. */
export interface TableRows {
  table: string;
  rows: readonly Row[];
}

/**
 * Inserts rows into several tables in one transaction, without Prisma's per-row cost. A row whose
 * key is already stored is skipped, so replaying a batch (the log spool after a crash) is harmless.
 *
 * Prisma's createMany runs every row through its query compiler (WebAssembly). Profiled under
 * OTLP ingest into SQLite it managed about 2,300 rows/s, most of the time in that compiler rather
 * than in SQLite; on PostgreSQL about 2,100 rows/s. So (figures for this 2-core machine):
 * - PostgreSQL: one statement per table, with all its rows in a single JSON parameter that
 *   json_populate_recordset unpacks, casting each value to its column (≈ 15,000 rows/s).
 * - SQLite: prepared statements on the log writer's own connection, in a worker thread
 *   (sqlite-write-thread.ts; ≈ 20 µs a row with time-ordered ids). Not through Prisma even as
 *   raw SQL: its raw queries copy every parameter through the same compiler, which made a
 *   JSON-parameter insert 2.5× slower than this.
 */
export async function insertBatch(tables: readonly TableRows[]): Promise<void> {
  const database = resolveDatabase();
  const nonEmpty = tables.filter(({ rows }) => rows.length > 0);
  if (database.kind === "sqlite") {
    await sqliteWriteThread.send({ filePath: database.filePath, tables: nonEmpty.map(toColumnar) });
  } else {
    const db = getDb();
    // A lock held elsewhere (a migration, a long transaction) fails the batch after a few seconds
    // rather than holding it indefinitely: the log writer then spools it and retries.
    await db.$transaction([
      db.$executeRawUnsafe(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT_MS}ms'`),
      db.$executeRawUnsafe(`SET LOCAL statement_timeout = '${STATEMENT_TIMEOUT_MS}ms'`),
      ...nonEmpty.map(({ table, rows }) => insertJsonRows(db, table, rows)),
    ]);
  }
}

function insertJsonRows(db: Db, table: string, rows: readonly Row[]) {
  const columns = Object.keys(rows[0]!);
  const columnList = columns.map((name) => `"${name}"`).join(", ");
  const json = JSON.stringify(rows, (_, value: unknown) => (typeof value === "string" ? wellFormed(value) : value));
  return db.$executeRawUnsafe(`INSERT INTO "${table}" (${columnList}) SELECT ${columnList} FROM json_populate_recordset(NULL::"${table}", $1::json) ON CONFLICT DO NOTHING`, json);
}

// A lone UTF-16 surrogate is legal in a JS string but not in UTF-8 text. JSON.stringify escapes it
// as "\udXXX", which PostgreSQL's JSON parser refuses (failing the batch on every retry). One
// U+FFFD instead, as on SQLite (sqlite-insert.ts).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, "\uFFFD");
}

// A path, not `new URL(…, import.meta.url)`: Next's bundler would try to bundle the worker for the
// read API's routes, which import this module but never write.
const WORKER_FILE = join(/*turbopackIgnore: true*/ projectRoot, "lib", "storage", "sqlite-insert-worker.mjs");

/**
 * Stores the log writer's inputs on SQLite through the write thread, which does what they still
 * need there (normalizing proxied exchanges, pricing unpriced records). Resolves with the inputs
 * that could not be normalized.
 */
export function saveLogInputsOnSqlite(filePath: string, inputs: readonly LogInput[]): Promise<Unprepared[]> {
  const transfer: ArrayBuffer[] = [];
  // `"exchange" in`, not isExchangeInput: a value import would pull the normalizers into the read API's bundle.
  const message = inputs.map((input) => ("exchange" in input ? { exchange: withOwnBytes(input.exchange, transfer) } : input));
  return sqliteWriteThread.send({ filePath, inputs: message }, transfer).then((unprepared) =>
    unprepared.map(({ index, message: text }) => ({ index, error: new Error(text) })),
  );
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

type ThreadRequest = { filePath: string } & ({ tables: ColumnarRows[] } | { inputs: LogInput[] });

/**
 * The SQLite write thread, started on first use. It holds the process open only while a batch is
 * in flight; if it dies, the batches in flight fail (the log writer retries them) and the next
 * batch starts a new one.
 */
class SqliteWriteThread {
  private worker: Worker | null = null;
  private readonly inFlight = new Map<number, { resolve(unprepared: NonNullable<WriteThreadReply["unprepared"]>): void; reject(error: Error): void }>();
  private nextId = 0;

  send(request: ThreadRequest, transfer: ArrayBuffer[] = []): Promise<NonNullable<WriteThreadReply["unprepared"]>> {
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.inFlight.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, ...request }, transfer);
    });
  }

  private start(): Worker {
    const worker = new Worker(WORKER_FILE);
    worker.unref();
    worker.on("message", ({ id, error, code, unprepared }: WriteThreadReply) => {
      const batch = this.inFlight.get(id);
      this.inFlight.delete(id);
      if (this.inFlight.size === 0) worker.unref();
      if (error === null) batch?.resolve(unprepared ?? []);
      // The SQLite code (SQLITE_BUSY, SQLITE_CONSTRAINT…) tells an outage from refused data.
      else batch?.reject(Object.assign(new Error(error), { code: code ?? undefined }));
    });
    worker.on("error", (error) => this.failAll(worker, error));
    worker.on("exit", (code) => this.failAll(worker, new Error(`SQLite write thread exited with code ${code}`)));
    return worker;
  }

  private failAll(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    for (const batch of this.inFlight.values()) batch.reject(error);
    this.inFlight.clear();
  }
}

const sqliteWriteThread = new SqliteWriteThread();
