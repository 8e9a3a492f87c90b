import { saveLoggedRequests } from "../../storage/request-rows";
import { normalizeInputs, type LogInput, type Unprepared } from "./log-input";

/**
 * Does what the log writer's inputs still need (normalizing proxied exchanges, pricing unpriced
 * records) and stores the batch in one transaction. Resolves with the inputs that could not be
 * normalized (left out); rejects when nothing was stored. Runs in the write thread (write-thread.ts).
 */
export async function saveLogInputs(inputs: readonly LogInput[]): Promise<Unprepared[]> {
  const { records, unprepared } = normalizeInputs(inputs);
  await saveLoggedRequests(records);
  return unprepared;
}
