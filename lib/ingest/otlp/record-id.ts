import { randomFillSync } from "node:crypto";

// Random bytes fetched 8 KiB at a time, as randomUUID does: one call per id costs ~2 µs, a
// tenth of this whole span's mapping.
const POOL_IDS = 512;
const pool = Buffer.alloc(16 * POOL_IDS);
let used = POOL_IDS;

/** The last id made, and its millisecond: the next id of that millisecond follows it. */
const last = Buffer.alloc(16);
let lastMs = Number.NaN;

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Logged requests are
 * keyed by id in two B-tree indexes (Request's primary key, RequestBody's); random v4 ids land
 * all over them, which under OTLP ingest made each SQLite insert cost about twice what ids that
 * grow with time cost (measured: ~55 vs ~30 µs a row at 100,000 rows). Unique, and as opaque as
 * a v4 id to whoever reads it.
 *
 * Ids made in the same millisecond increase in the order they are made (the RFC's "monotonic
 * random": the previous id's random bits plus one), so the spans of one export keep their order
 * when ids break a tie, as between two attempts on a node that started in the same millisecond.
 */
export function timeOrderedId(nowMs: number): string {
  const ms = Math.floor(nowMs);
  if (ms !== lastMs || !incrementRandomBits()) {
    if (used === POOL_IDS) {
      randomFillSync(pool);
      used = 0;
    }
    pool.copy(last, 0, 16 * used, 16 * ++used);
    last.writeUIntBE(ms, 0, 6);
    last[6] = 0x70 | (last[6]! & 0x0f);
    last[8] = 0x80 | (last[8]! & 0x3f);
    lastMs = ms;
  }
  const hex = last.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Adds one to the 62 random bits after the variant; false when they were all ones (a fresh id is made). */
function incrementRandomBits(): boolean {
  for (let i = 15; i >= 9; i--) {
    if (last[i] !== 0xff) {
      last[i]!++;
      return true;
    }
    last[i] = 0;
  }
  if ((last[8]! & 0x3f) === 0x3f) return false;
  last[8]!++;
  return true;
}
