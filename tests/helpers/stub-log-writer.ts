import type { LoggedRequest } from "@/lib/domain/logged-request";

/**
 * A log writer for the OTLP transports' unit tests: stores in memory, and can be made to refuse,
 * stall (never answer), or hold each write until the test releases it.
 */
export function stubLogWriter() {
  const stored: LoggedRequest[] = [];
  const writer = {
    queued: 0,
    mode: "store" as "store" | "refuse" | "stall" | "hold",
    /** in "hold" mode: told of each write, with the function that lets it complete */
    onHold: (() => {}) as (release: () => void) => void,
    stats: () => ({ queued: writer.queued, written: stored.length, spooled: 0, spoolBytes: 0, unreadableSpooled: 0, dropped: 0, failedToPrepare: 0, refused: 0, failedSaves: 0, lastError: null }),
    writeMany: async (records: readonly LoggedRequest[]) => {
      if (writer.mode === "refuse") throw new Error("log queue is full");
      if (writer.mode === "stall") return new Promise<void>(() => {});
      if (writer.mode === "hold") await new Promise<void>((release) => writer.onHold(release));
      stored.push(...records);
    },
  };
  return { writer, stored };
}
