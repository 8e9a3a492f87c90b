import type { LoggedRequest } from "../domain/logged-request";
import type { CapturedExchange } from "./proxy/captured-exchange";
import { exchangeToLoggedRequest } from "./proxy/exchange-to-record";

/**
 * What the log writer is handed: a record already normalized (custom log, OTLP: they answer only
 * once stored, so they normalize first to refuse bad input), or a proxied exchange as captured,
 * normalized later where it costs the proxy nothing (on SQLite, in the write thread).
 */
export type LogInput = LoggedRequest | { exchange: CapturedExchange };

/** An input that could not be normalized (a bug, or a body we cannot read): not stored, counted. */
export interface Unprepared {
  index: number;
  error: Error;
}

export function isExchangeInput(input: LogInput): input is { exchange: CapturedExchange } {
  return "exchange" in input;
}

/** The record of an input; throws when it cannot be normalized. */
export function toLoggedRequest(input: LogInput): LoggedRequest {
  return isExchangeInput(input) ? exchangeToLoggedRequest(input.exchange) : input;
}

/** Normalizes a batch; an input that throws is reported by its index and left out. */
export function normalizeInputs(inputs: readonly LogInput[]): { records: LoggedRequest[]; unprepared: Unprepared[] } {
  const records: LoggedRequest[] = [];
  const unprepared: Unprepared[] = [];
  inputs.forEach((input, index) => {
    try {
      records.push(toLoggedRequest(input));
    } catch (error) {
      unprepared.push({ index, error: error instanceof Error ? error : new Error(String(error)) });
    }
  });
  return { records, unprepared };
}
