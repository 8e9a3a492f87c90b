import type { LoggedRequest } from "../../domain/logged-request";
import { priceUsage, type Cost, type PriceUsageInput } from "../../domain/cost";
import type { CapturedExchange } from "../proxy/captured-exchange";
import { exchangeToLoggedRequest } from "../proxy/exchange-to-record";

/**
 * What the log writer is handed: a record already normalized; a record still to be priced (custom
 * log, OTLP: they check their input before answering, but the price-table walk, the costliest
 * step left, can wait); or a proxied exchange as captured. What is left to do is done where it
 * costs the ingest thread nothing: on SQLite, in the write thread.
 */
export type LogInput = LoggedRequest | UnpricedInput | { exchange: CapturedExchange };

/** A record whose costUsd/costUnknown are still to be looked up for `price`, unless the sender gave its cost. */
export interface UnpricedInput {
  unpriced: LoggedRequest;
  price: PriceUsageInput;
  /** the cost the sender reported (Langfuse's cost_details), USD: honoured as-is, the table is not asked */
  givenCostUsd?: number | null;
}

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
  if (isExchangeInput(input)) return exchangeToLoggedRequest(input.exchange);
  // Assigned in place rather than copied: the input is the record's only holder.
  if ("unpriced" in input) return Object.assign(input.unpriced, costOf(input));
  return input;
}

function costOf({ price, givenCostUsd }: UnpricedInput): Cost {
  return givenCostUsd == null ? priceUsage(price) : { costUsd: givenCostUsd, costUnknown: false };
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
