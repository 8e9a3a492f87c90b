// The body of the write thread (write-thread.ts): one message is one batch, one transaction.
import { parentPort } from "node:worker_threads";
import { isExchangeInput, type LogInput } from "./log-input";
import type { StoredRequest } from "../../live/live-bus";
import { saveLogInputs } from "./save-log-inputs";

export interface WriteThreadRequest {
  id: number;
  inputs: LogInput[];
}

export interface WriteThreadReply {
  id: number;
  /** null when the batch is stored (less any unprepared inputs) */
  error: string | null;
  /** the database's code (SQLITE_BUSY, a SQLSTATE…): it tells an outage from refused data */
  code?: string | null;
  unprepared?: Array<{ index: number; message: string }>;
  /** the batch's requests, committed: what live views are told */
  stored?: StoredRequest[];
}

parentPort!.on("message", ({ id, inputs }: WriteThreadRequest) => {
  saveLogInputs(inputs.map(withBuffers)).then(
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
