import { storedRequestOf, type StoredRequest } from "../../live/live-bus";
import { saveLoggedRequests } from "../../storage/request-rows";
import { normalizeInputs, type LogInput, type Unprepared } from "./log-input";

/** What a saved batch tells the log writer: the inputs left out, and the requests now committed. */
export interface SavedBatch {
  unprepared: Unprepared[];
  /** for live views: published by the main thread once it hears of the commit (create-log-writer.ts) */
  stored: StoredRequest[];
}

/**
 * Does what the log writer's inputs still need (normalizing proxied exchanges, pricing unpriced
 * records) and stores the batch in one transaction. Resolves with the inputs that could not be
 * normalized (left out) and the stored requests' live events; rejects when nothing was stored.
 * Runs in the write thread (write-thread.ts).
 */
export async function saveLogInputs(inputs: readonly LogInput[]): Promise<SavedBatch> {
  const { records, unprepared } = normalizeInputs(inputs);
  await saveLoggedRequests(records);
  return { unprepared, stored: records.map(storedRequestOf) };
}
