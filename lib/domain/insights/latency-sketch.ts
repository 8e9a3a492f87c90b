import { DDSketch } from "@datadog/sketches-js";

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
 * with them a sketch never has more than ≈ 1,700 bins.
 */
export const SKETCH_RELATIVE_ACCURACY = 0.01;
/** Below this a latency counts as 0, so answers there are within this many ms rather than 1 %. */
export const SKETCH_MIN_RESOLVED_MS = 0.001;
const SKETCH_MAX_MS = 1e12;

// One mapping object for every sketch, fresh or decoded: a decoded sketch rebuilds its mapping from
// the stored γ, whose multiplier differs from a fresh one's in the last bits, which can move a
// value on a bin boundary into the next bin and change answers in the 15th digit.
const MAPPING = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY }).mapping;

export class LatencySketch {
  private constructor(private readonly sketch: DDSketch) {}

  static empty(): LatencySketch {
    return new LatencySketch(newSketch());
  }

  /** Reads what encode() wrote; refuses a sketch kept at another accuracy, which could not merge with ours. */
  static decode(bytes: Uint8Array): LatencySketch {
    const sketch = DDSketch.fromProto(bytes);
    if (Math.abs(sketch.mapping.gamma - MAPPING.gamma) > 1e-12) {
      throw new Error(`stored latency sketch has γ = ${sketch.mapping.gamma}; this version keeps γ = ${MAPPING.gamma}`);
    }
    if (sketch.negativeStore.count > 0) throw new Error("stored latency sketch holds negative values");
    sketch.mapping = MAPPING;
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

  clone(): LatencySketch {
    const copy = newSketch();
    copy.merge(this.sketch);
    return new LatencySketch(copy);
  }

  /** The value at rank ⌊q·(n − 1)⌋ within the relative accuracy; null when nothing was added. */
  quantile(q: number): number | null {
    if (this.sketch.count === 0) return null;
    return this.sketch.getValueAtQuantile(q);
  }

  /**
   * The library's own encoding (DDSketch.proto, which Datadog's Go, Java and Python sketches also
   * read), from a copy whose bin array holds only the bins from the lowest to the highest one
   * used: the library grows the array 128 bins at a time and would write every padding bin as an
   * 8-byte double (over 1 KB for one value; ≈ 30 bytes this way).
   */
  encode(): Uint8Array {
    const compact = newSketch();
    compact.zeroCount = this.sketch.zeroCount;
    const from = this.sketch.store;
    if (from.count > 0) {
      const to = compact.store;
      to.bins = from.bins.slice(from.minKey - from.offset, from.maxKey - from.offset + 1);
      to.offset = from.minKey;
      to.minKey = from.minKey;
      to.maxKey = from.maxKey;
      to.count = from.count;
    }
    return compact.toProto();
  }
}

function newSketch(): DDSketch {
  const sketch = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
  sketch.mapping = MAPPING;
  return sketch;
}
