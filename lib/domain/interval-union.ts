/**
 * Time covered by intervals: the length of their union, so time that several intervals share
 * counts once (two calls failing side by side for 2 s waste 2 s of the trace's time, not 4 s).
 * Times in milliseconds; an interval whose end is not after its start covers nothing.
 */
export interface Interval {
  startMs: number;
  endMs: number;
}

/** The union's length. O(n log n). */
export function unionLengthMs(intervals: readonly Interval[]): number {
  const sorted = intervals.filter((interval) => interval.endMs > interval.startMs).sort((a, b) => a.startMs - b.startMs);
  let total = 0;
  let runStart = 0;
  let runEnd = Number.NEGATIVE_INFINITY;
  for (const { startMs, endMs } of sorted) {
    if (startMs > runEnd) {
      if (runEnd > runStart) total += runEnd - runStart;
      runStart = startMs;
      runEnd = endMs;
    } else if (endMs > runEnd) runEnd = endMs;
  }
  if (runEnd > runStart) total += runEnd - runStart;
  return total;
}

/** An interval held by the node at `position` of a forest numbered depth-first. */
export interface PlacedInterval extends Interval {
  position: number;
}

/** Owner values of a segment-tree node: no interval covers its range / its range has several owners. */
const NONE = -1;
const MIXED = -2;

/**
 * For a forest numbered depth-first (node k's subtree is the positions k … subtreeEnd[k] − 1),
 * the union length of the intervals held anywhere in each node's subtree, for every node at once.
 *
 * A subtree's union cannot be summed from its children's (their intervals may overlap), and
 * merging interval lists up the tree costs O(n²) on a deep chain. Instead positions are swept
 * from last to first while each piece of time remembers the smallest position among the swept
 * intervals covering it. Once node k's own intervals are swept, every swept position is ≥ k, so a
 * piece is covered by k's subtree exactly when that smallest position is below subtreeEnd[k]:
 * k's union is the time owned by positions k … subtreeEnd[k] − 1, a range sum of a Fenwick tree.
 * Ownership is kept in a segment tree over the pieces between distinct endpoints, each tree node
 * holding its range's owner when it has one owner: an assignment touches O(log m) nodes plus the
 * mixed ones it makes whole, so O((n + m) log m) in all, for n nodes and m intervals.
 */
export function subtreeUnionLengthsMs(subtreeEnd: Int32Array, intervals: readonly PlacedInterval[]): Float64Array {
  const nodeCount = subtreeEnd.length;
  const lengths = new Float64Array(nodeCount);
  const placed = intervals.filter((interval) => interval.endMs > interval.startMs);
  if (placed.length === 0) return lengths;

  const endpoints = new Float64Array(placed.length * 2);
  placed.forEach((interval, i) => {
    endpoints[2 * i] = interval.startMs;
    endpoints[2 * i + 1] = interval.endMs;
  });
  endpoints.sort();
  let distinct = 0;
  for (let i = 0; i < endpoints.length; i++) if (i === 0 || endpoints[i] !== endpoints[distinct - 1]) endpoints[distinct++] = endpoints[i]!;
  const times = endpoints.subarray(0, distinct);
  const pieceCount = distinct - 1;
  const pieceAt = (ms: number) => binarySearch(times, ms);

  // Fenwick tree over positions: the time each position owns.
  const owned = new Float64Array(nodeCount + 1);
  const addOwned = (position: number, ms: number) => {
    for (let i = position + 1; i <= nodeCount; i += i & -i) owned[i]! += ms;
  };
  const ownedBelow = (position: number) => {
    let sum = 0;
    for (let i = position; i > 0; i -= i & -i) sum += owned[i]!;
    return sum;
  };

  // Segment tree over pieces [lo, hi); node 1 is the root, node v's children are 2v and 2v + 1.
  const owner = new Int32Array(4 * pieceCount).fill(NONE);
  const assign = (node: number, lo: number, hi: number, from: number, to: number, position: number): void => {
    if (to <= lo || hi <= from) return;
    const current = owner[node]!;
    if (from <= lo && hi <= to && current !== MIXED) {
      const ms = times[hi]! - times[lo]!;
      if (current !== NONE) addOwned(current, -ms);
      addOwned(position, ms);
      owner[node] = position;
      return;
    }
    if (current !== MIXED) owner[2 * node] = owner[2 * node + 1] = current;
    const mid = (lo + hi) >> 1;
    assign(2 * node, lo, mid, from, to, position);
    assign(2 * node + 1, mid, hi, from, to, position);
    const left = owner[2 * node]!;
    owner[node] = left === owner[2 * node + 1] ? left : MIXED;
  };

  placed.sort((a, b) => b.position - a.position);
  let next = 0;
  for (let k = nodeCount - 1; k >= 0; k--) {
    for (; next < placed.length && placed[next]!.position === k; next++) {
      assign(1, 0, pieceCount, pieceAt(placed[next]!.startMs), pieceAt(placed[next]!.endMs), k);
    }
    if (next > 0) lengths[k] = ownedBelow(subtreeEnd[k]!) - ownedBelow(k);
  }
  return lengths;
}

/** The index of `value` in the sorted `values`, which holds it. */
function binarySearch(values: Float64Array, value: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
