// The body of the write thread (write-thread.ts): one message is one batch, one transaction (or
// one step of a retention run on SQLite, which takes its turn between batches).
import { parentPort } from "node:worker_threads";
import { isExchangeInput, type LogInput } from "./log-input";
import type { StoredRequest } from "../../live/live-bus";
import { runSqliteRetentionStep, type RetentionStep } from "../../storage/retention-steps";
import { saveLogInputs } from "./save-log-inputs";

export type WriteThreadRequest = { id: number; inputs: LogInput[] } | { id: number; retentionStep: RetentionStep };

export interface WriteThreadReply {
  id: number;
  /** null when the batch is stored (less any unprepared inputs) */
  error: string | null;
  /** the database's code (SQLITE_BUSY, a SQLSTATE…): it tells an outage from refused data */
  code?: string | null;
  unprepared?: Array<{ index: number; message: string }>;
  /** the batch's requests, committed: what live views are told */
  stored?: StoredRequest[];
  /** a retention step's rows */
  result?: number;
}

parentPort!.on("message", (message: WriteThreadRequest) => {
  const { id } = message;
  if ("retentionStep" in message) {
    try {
      reply({ id, error: null, result: runSqliteRetentionStep(message.retentionStep) });
    } catch (error) {
      reply({ id, error: error instanceof Error ? error.message : String(error), code: (error as { code?: string })?.code ?? null });
    }
    return;
  }
  saveLogInputs(message.inputs.map(withBuffers)).then(
    ({ unprepared, stored }) => reply({ id, error: null, unprepared: unprepared.map(({ index, error }) => ({ index, message: error.message })), stored }),
    (error: unknown) => reply({ id, error: error instanceof Error ? error.message : String(error), code: (error as { code?: string })?.code ?? null }),
  );
});

function reply(message: WriteThreadReply): void {
  parentPort!.postMessage(message);
}

/** Bodies cross threads as plain bytes; the normalizers read them as Buffers. */
function withBuffers(input: LogInput): LogInput {
  if (!isExchangeInput(input)) return input;
  const { requestBody, responseBody } = input.exchange;
  return { exchange: { ...input.exchange, requestBody: asBuffer(requestBody), responseBody: asBuffer(responseBody) } };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
