import { unavailable } from "../shared/api-error";
import { withTimeout } from "../shared/timeout";

/**
 * Waits for a write the caller's 200 promises (custom log, OTLP export: "stored, or spooled while
 * the database is away"). A write that fails or takes longer than `ms` is answered 503 with
 * Retry-After, so the client sends it again rather than believing it kept.
 */
export function storedWithin(written: Promise<void>, ms: number, what: string): Promise<void> {
  return withTimeout(
    written.catch(() => {
      throw unavailable(`The ${what} could not be stored; retry later.`);
    }),
    ms,
    () => unavailable(`Storage is not keeping up with the ${what}; retry later.`),
  );
}
