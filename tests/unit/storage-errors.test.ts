import { describe, expect, it } from "vitest";
import { isRefusedData, isStorageUnavailable } from "@/lib/storage/storage-errors";

// As the drivers and Prisma's adapters throw them: a code on the error, on its cause, or only in its message.
const busy = Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
const walLocked = new Error("Prisma: SQLITE_PROTOCOL: locking protocol");
const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
const pgGone = new Error("Connection terminated unexpectedly");
const adapterUnreachable = Object.assign(new Error("driver error"), { cause: { kind: "DatabaseNotReachable" } });
const constraint = Object.assign(new Error("UNIQUE constraint failed"), { code: "SQLITE_CONSTRAINT_UNIQUE" });
const badValue = Object.assign(new Error("invalid input syntax"), { meta: { driverAdapterError: { cause: { originalCode: "22P02" } } } });
const bug = new TypeError("Cannot read properties of undefined (reading 'id')");

describe("storage errors", () => {
  it("a database that cannot answer is unavailable (a 503 to retry), never refused data", () => {
    for (const error of [busy, walLocked, refused, pgGone, adapterUnreachable]) {
      expect(isStorageUnavailable(error), String(error)).toBe(true);
      expect(isRefusedData(error), String(error)).toBe(false);
    }
  });

  it("rows the database refuses are refused data, not an outage; a bug is neither", () => {
    for (const error of [constraint, badValue]) {
      expect(isRefusedData(error), String(error)).toBe(true);
      expect(isStorageUnavailable(error), String(error)).toBe(false);
    }
    expect(isRefusedData(bug)).toBe(false);
    expect(isStorageUnavailable(bug)).toBe(false);
  });
});
