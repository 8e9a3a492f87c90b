// The log writer's SQLite connection, on a thread of its own (started by bulk-insert.ts). A batch
// insert costs ~20 µs a row, and run on the main thread it held up every proxied call and export
// for the whole transaction. Proxied exchanges are also normalized here (body parsing, stream
// reassembly, token counting, pricing: 40–400 µs a call), and custom logs and OTLP spans priced,
// so the ingest thread only checks and forwards.
import { parentPort } from "node:worker_threads";
import { isExchangeInput, normalizeInputs, type LogInput } from "../ingest/log-input";
import { requestTableRows } from "./request-rows";
import { insertTables, toColumnar, type ColumnarRows } from "./sqlite-insert";

export type WriteThreadRequest = { id: number; filePath: string } & ({ tables: ColumnarRows[] } | { inputs: LogInput[] });

export interface WriteThreadReply {
  id: number;
  /** null when the batch is stored (less any unprepared inputs) */
  error: string | null;
  /** the SQLite code (SQLITE_BUSY, SQLITE_CONSTRAINT…): it tells an outage from refused data */
  code?: string | null;
  unprepared?: Array<{ index: number; message: string }>;
}

/** One message = one batch = one transaction: every table's rows land together or not at all. */
parentPort!.on("message", (request: WriteThreadRequest) => {
  let reply: WriteThreadReply;
  try {
    if ("tables" in request) {
      insertTables(request.filePath, request.tables);
      reply = { id: request.id, error: null };
    } else {
      const { records, unprepared } = normalizeInputs(request.inputs.map(withBuffers));
      if (records.length > 0) insertTables(request.filePath, requestTableRows(records).filter(({ rows }) => rows.length > 0).map(toColumnar));
      reply = { id: request.id, error: null, unprepared: unprepared.map(({ index, error }) => ({ index, message: error.message })) };
    }
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error), code: (error as { code?: string })?.code ?? null };
  }
  parentPort!.postMessage(reply);
});

/** Bodies cross threads as plain bytes; the normalizers read them as Buffers. */
function withBuffers(input: LogInput): LogInput {
  if (!isExchangeInput(input)) return input;
  const { requestBody, responseBody } = input.exchange;
  return { exchange: { ...input.exchange, requestBody: asBuffer(requestBody), responseBody: asBuffer(responseBody) } };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
