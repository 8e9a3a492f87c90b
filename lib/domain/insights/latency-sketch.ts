import { DDSketch } from "@datadog/sketches-js";
// The library's own protobuf codec (DDSketch.proto): its fromProto rebuilds the bins one add() at a
// time, growing and re-centring the array as it goes, 5× slower than decoding them; reading a
// month of rollups decodes thousands of sketches, so the codec is called directly.
import protoRoot from "@datadog/sketches-js/dist/ddsketch/proto/compiled";

/**
 * Percentiles of latencies that merge: a DDSketch (Masson, Rim & Lee, VLDB 2019) keeps a count per
 * logarithmic bin, bin k holding the values in (γ^(k-1), γ^k] with γ = (1 + α) / (1 − α), and
 * answers with the bin's midpoint in relative terms, so every answer is within α of a value that
 * was really at that rank. Merging adds counts bin by bin: a merged sketch is exactly the sketch
 * of all the values, whatever the order or grouping they were added in, which is what lets
 * per-bucket rollups answer any range.
 *
 * The quantile q is the value at 0-based rank ⌊q·(n − 1)⌋ of the sorted values (the "lower"
 * quantile; p50 of [1, 2, 3, 4] is 2), as the library defines it; the tests hold it to that.
 * Zero is kept exactly (its own count). Values are held to [1 µs, 10¹² ms ≈ 31 years]: below
 * a microsecond (negative ones too: clock skew between a span's start and end) they count as zero,
 * above the top as the top. Without bounds one absurd value from a custom log (1e-300 ms) would
 * stretch the bin array across tens of thousands of empty bins, in memory and in the stored bytes;
 * with them a sketch never has more than ≈ 1,730 bins (≈ 14 KB encoded).
 */
export const SKETCH_RELATIVE_ACCURACY = 0.01;
/** Below this a latency counts as 0, so answers there are within this many ms rather than 1 %. */
export const SKETCH_MIN_RESOLVED_MS = 0.001;
const SKETCH_MAX_MS = 1e12;

// One mapping object for every sketch, fresh or decoded: the library would rebuild a decoded
// sketch's mapping from the stored γ, whose multiplier differs from a fresh one's in the last bits,
// which can move a value on a bin boundary into the next bin and change answers in the 15th digit.
const MAPPING = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY }).mapping;
const MAPPING_PROTO = MAPPING.toProto();

/** The generated codec's messages, as DDSketch.proto declares them (the package types its root only loosely). */
interface ProtoStore {
  contiguousBinCounts?: number[] | null;
  contiguousBinIndexOffset?: number | null;
}
interface ProtoSketch {
  mapping?: { gamma?: number | null; indexOffset?: number | null; interpolation?: number | null } | null;
  positiveValues?: ProtoStore | null;
  negativeValues?: ProtoStore | null;
  zeroCount?: number | null;
}
const SketchCodec = (protoRoot as unknown as { DDSketch: { encode(message: ProtoSketch): { finish(): Uint8Array }; decode(bytes: Uint8Array): ProtoSketch } }).DDSketch;

export class LatencySketch {
  private constructor(private readonly sketch: DDSketch) {}

  static empty(): LatencySketch {
    return new LatencySketch(newSketch());
  }

  /**
   * Reads what encode() wrote. Refuses bytes that are not such a sketch, and a sketch kept at
   * another accuracy or with another mapping, which could not merge with ours.
   */
  static decode(bytes: Uint8Array): LatencySketch {
    const message = SketchCodec.decode(bytes);
    const mapping = message.mapping;
    if (!mapping || Math.abs((mapping.gamma ?? 0) - MAPPING.gamma) > 1e-12 || (mapping.indexOffset ?? 0) !== 0 || (mapping.interpolation ?? 0) !== 0) {
      throw new Error(`stored latency sketch has another mapping (γ = ${mapping?.gamma}); this version keeps γ = ${MAPPING.gamma}`);
    }
    if ((message.negativeValues?.contiguousBinCounts ?? []).some((count) => count !== 0)) throw new Error("stored latency sketch holds negative values");
    const bins = message.positiveValues?.contiguousBinCounts ?? [];
    for (const count of bins) checkedCount(count);
    return LatencySketch.fromBins(checkedCount(message.zeroCount ?? 0), message.positiveValues?.contiguousBinIndexOffset ?? 0, bins);
  }

  /** A sketch holding `bins` (counts of consecutive bins from `offset`) and `zeroCount` zeros. */
  private static fromBins(zeroCount: number, offset: number, bins: number[]): LatencySketch {
    const sketch = newSketch();
    sketch.zeroCount = zeroCount;
    const storeCount = bins.reduce((sum, count) => sum + count, 0);
    if (storeCount > 0) {
      // The key range is the used bins' (a sketch the library encoded carries empty padding bins).
      const store = sketch.store;
      store.bins = bins;
      store.offset = offset;
      store.minKey = offset + bins.findIndex((count) => count > 0);
      store.maxKey = offset + bins.findLastIndex((count) => count > 0);
      store.count = storeCount;
    }
    sketch.count = sketch.zeroCount + sketch.store.count;
    return new LatencySketch(sketch);
  }

  /** How many values were added. */
  get count(): number {
    return this.sketch.count;
  }

  /** A value that is not a number is not a latency: it is left out rather than counted as 0. */
  add(valueMs: number): void {
    if (!Number.isFinite(valueMs)) return;
    this.sketch.accept(valueMs < SKETCH_MIN_RESOLVED_MS ? 0 : Math.min(valueMs, SKETCH_MAX_MS));
  }

  /** Adds every value of `other` to this sketch (`other` is unchanged). */
  merge(other: LatencySketch): void {
    // The library's merge skips the negative store, which add() keeps empty.
    this.sketch.merge(other.sketch);
  }

  /**
   * The sketch of this one's values without `other`'s, which must be among them (a group's
   * sketch taken out of its total's): bin counts subtract as they add, so the result is exactly
   * the sketch of the remaining values.
   */
  minus(other: LatencySketch): LatencySketch {
    const mine = this.usedBins();
    const theirs = other.usedBins();
    const zeroCount = this.sketch.zeroCount - other.sketch.zeroCount;
    if (theirs.bins.length > 0 && (theirs.offset < mine.offset || theirs.offset + theirs.bins.length > mine.offset + mine.bins.length)) {
      throw new RangeError("cannot take out values a sketch does not hold");
    }
    const bins = [...mine.bins];
    theirs.bins.forEach((count, i) => (bins[theirs.offset - mine.offset + i]! -= count));
    if (zeroCount < 0 || bins.some((count) => count < 0)) throw new RangeError("cannot take out values a sketch does not hold");
    return LatencySketch.fromBins(zeroCount, mine.offset, bins);
  }

  /** The value at rank ⌊q·(n − 1)⌋ within the relative accuracy; null when nothing was added. */
  quantile(q: number): number | null {
    if (this.sketch.count === 0) return null;
    return this.sketch.getValueAtQuantile(q);
  }

  /** The counts of the bins from the lowest used to the highest used, and the lowest's index. */
  private usedBins(): { offset: number; bins: number[] } {
    const store = this.sketch.store;
    if (store.count === 0) return { offset: 0, bins: [] };
    return { offset: store.minKey, bins: store.bins.slice(store.minKey - store.offset, store.maxKey - store.offset + 1) };
  }

  /**
   * The library's own encoding (DDSketch.proto, which Datadog's Go, Java and Python sketches also
   * read), holding only the bins from the lowest to the highest one used: the library grows its
   * array 128 bins at a time, and its toProto writes every padding bin as an 8-byte double (over
   * 1 KB for one value; 50 bytes this way).
   */
  encode(): Uint8Array {
    const used = this.usedBins();
    return SketchCodec.encode({
      mapping: MAPPING_PROTO,
      positiveValues: { contiguousBinCounts: used.bins, contiguousBinIndexOffset: used.offset },
      negativeValues: { contiguousBinCounts: [], contiguousBinIndexOffset: 0 },
      zeroCount: this.sketch.zeroCount,
    }).finish();
  }
}

function newSketch(): DDSketch {
  const sketch = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
  sketch.mapping = MAPPING;
  return sketch;
}

function checkedCount(count: number): number {
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`stored latency sketch has a bin count of ${count}`);
  return count;
}
