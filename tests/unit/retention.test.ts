import { describe, expect, it } from "vitest";
import { effectiveRetentionDays, retentionCut, sharedCutoffMs } from "../../lib/domain/retention";
import { readConfig } from "../../lib/shared/config";

const HOUR = 3_600_000;
const readEnv = (vars: Record<string, string>) => readConfig(vars as NodeJS.ProcessEnv);
const DAY = 24 * HOUR;

describe("retention's cut", () => {
  it("an organization's own window wins over the server's, which wins over forever", () => {
    expect(effectiveRetentionDays(30, 7)).toBe(30);
    expect(effectiveRetentionDays(null, 7)).toBe(7);
    expect(effectiveRetentionDays(null, undefined)).toBeNull();
    expect(retentionCut(Date.UTC(2026, 5, 1), null)).toBeNull();
  });

  it("cuts at now − window and names the UTC day and hour the cut falls in", () => {
    const now = Date.UTC(2026, 5, 10, 14, 25, 7);
    expect(retentionCut(now, 7)).toEqual({ cutoffMs: Date.UTC(2026, 5, 3, 14, 25, 7), dayStartMs: Date.UTC(2026, 5, 3), hourStartMs: Date.UTC(2026, 5, 3, 14) });
    // on the hour, and at midnight, the cut is its own hour's (and day's) start
    expect(retentionCut(Date.UTC(2026, 5, 10, 14), 1)).toMatchObject({ cutoffMs: Date.UTC(2026, 5, 9, 14), hourStartMs: Date.UTC(2026, 5, 9, 14) });
    expect(retentionCut(Date.UTC(2026, 5, 10), 1)).toMatchObject({ cutoffMs: Date.UTC(2026, 5, 9), dayStartMs: Date.UTC(2026, 5, 9), hourStartMs: Date.UTC(2026, 5, 9) });
  });

  it("storage-wide pieces go only before every organization's cutoff, and not at all while one keeps everything", () => {
    const now = Date.UTC(2026, 5, 10);
    expect(sharedCutoffMs([retentionCut(now, 7), retentionCut(now, 30)])).toBe(now - 30 * DAY);
    expect(sharedCutoffMs([retentionCut(now, 7), null])).toBeNull();
    expect(sharedCutoffMs([])).toBeNull();
  });

  it("RETENTION_DAYS is a whole number of days, at least 1; unset keeps everything", () => {
    expect(readEnv({}).RETENTION_DAYS).toBeUndefined();
    expect(readEnv({ RETENTION_DAYS: "30" }).RETENTION_DAYS).toBe(30);
    expect(() => readEnv({ RETENTION_DAYS: "0" })).toThrow("RETENTION_DAYS must be at least 1");
    expect(() => readEnv({ RETENTION_DAYS: "1.5" })).toThrow("RETENTION_DAYS must be a whole number of days");
    expect(() => readEnv({ RETENTION_DAYS: "a week" })).toThrow("RETENTION_DAYS");
  });
});
