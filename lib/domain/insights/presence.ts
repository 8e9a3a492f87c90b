import type { PicoUsd } from "../money";
import { costPerTraceQuantiles, type DistinctFigures } from "./metrics-aggregate";

/**
 * Which traces, users and sessions a set of requests holds, and what each trace cost in it: the
 * summary's distinct figures (DistinctFigures). Distinct counts do not add up across hours (a
 * trace with requests in two hours is one trace), so what is kept per hour is the ids themselves,
 * and a range's figures are the union of its hours' sets.
 *
 * Ids are kept as 53-bit hashes (cyrb53): a number, so that sets of hundreds of thousands merge
 * in milliseconds, and 16 bytes a trace stored. Two ids with one hash would count once: among a
 * million distinct ids that happens with probability ≈ 5·10⁻⁵ (n² / 2⁵⁴), the one inexactness.
 */
export class Presence {
  /**
   * trace hash → cost of its requests here, in pico-dollars, held as a double: exact up to 2⁵³
   * pico-dollars ($9,007) a trace, and a number merges several times faster than a bigint
   */
  readonly traces = new Map<number, number>();
  readonly users = new Set<number>();
  readonly sessions = new Set<number>();

  addTrace(traceHash: number, costPicoUsd: PicoUsd | number): void {
    this.traces.set(traceHash, (this.traces.get(traceHash) ?? 0) + Number(costPicoUsd));
  }

  /** Adds the ids of a request (null: it has none) and what it costs its trace. */
  addRequest(ids: { traceId: string | null; userId: string | null; sessionId: string | null }, costPicoUsd: PicoUsd): void {
    if (ids.traceId !== null) this.addTrace(idHash(ids.traceId), costPicoUsd);
    if (ids.userId !== null) this.users.add(idHash(ids.userId));
    if (ids.sessionId !== null) this.sessions.add(idHash(ids.sessionId));
  }

  /** Adds a stored encoding's sets (encode's bytes) without building a second Presence. */
  mergeEncoded(bytes: Uint8Array): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength < HEADER_BYTES || view.getUint8(0) !== FORMAT_VERSION) throw new Error("stored presence is not in this version's format");
    const traces = view.getUint32(1, true);
    const users = view.getUint32(5, true);
    const sessions = view.getUint32(9, true);
    if (bytes.byteLength !== HEADER_BYTES + traces * 16 + (users + sessions) * 8) throw new Error("stored presence has a wrong length");
    let at = HEADER_BYTES;
    for (let i = 0; i < traces; i++, at += 16) this.addTrace(view.getFloat64(at, true), view.getFloat64(at + 8, true));
    for (let i = 0; i < users; i++, at += 8) this.users.add(view.getFloat64(at, true));
    for (let i = 0; i < sessions; i++, at += 8) this.sessions.add(view.getFloat64(at, true));
  }

  merge(other: Presence): void {
    for (const [hash, cost] of other.traces) this.addTrace(hash, cost);
    for (const hash of other.users) this.users.add(hash);
    for (const hash of other.sessions) this.sessions.add(hash);
  }

  encode(): Uint8Array {
    const bytes = new Uint8Array(HEADER_BYTES + this.traces.size * 16 + (this.users.size + this.sessions.size) * 8);
    const view = new DataView(bytes.buffer);
    view.setUint8(0, FORMAT_VERSION);
    view.setUint32(1, this.traces.size, true);
    view.setUint32(5, this.users.size, true);
    view.setUint32(9, this.sessions.size, true);
    let at = HEADER_BYTES;
    for (const [hash, cost] of this.traces) {
      view.setFloat64(at, hash, true);
      view.setFloat64(at + 8, cost, true);
      at += 16;
    }
    for (const hash of [...this.users, ...this.sessions]) {
      view.setFloat64(at, hash, true);
      at += 8;
    }
    return bytes;
  }

  figures(): DistinctFigures {
    return {
      traces: this.traces.size,
      users: this.users.size,
      sessions: this.sessions.size,
      costPerTrace: costPerTraceQuantiles(Array.from(this.traces.values(), (cost) => BigInt(Math.round(cost)))),
    };
  }
}

const FORMAT_VERSION = 2;
const HEADER_BYTES = 13;

/**
 * cyrb53 (bryc, public domain): a 53-bit string hash, two 32-bit multiply-xorshift lanes. Fast
 * on short strings (≈ 50 ns for a trace id), well mixed, exactly a safe integer.
 */
export function idHash(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
