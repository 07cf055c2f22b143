/**
 * Quintile scores exactly as the analyst's pandas notebook computes them:
 *
 *     pd.qcut(x.rank(method='first'), 5, labels=[1, 2, 3, 4, 5])
 *
 * `rank(method='first')` gives ranks 1..n with ties in row order; Kinship's rows are in ascending customer-id
 * order, so ties go to the lower customer id first. `qcut` then cuts the ranks at their 0/20/40/60/80/100th
 * percentiles (numpy's linear interpolation, float for float — see `quintileEdges`) into bins (e[k-1], e[k]],
 * the lowest bin closed at the bottom.
 */

/** numpy.linspace(0, 1, 6) * 100, as pandas passes it to numpy.percentile, which divides by 100 again. */
const QUANTILES = [1, 2, 3, 4, 5].map((k) => (k * (1 / 5) * 100) / 100);

/**
 * The five upper bin edges over ranks 1..n, computed the way numpy.percentile(method='linear') does
 * (virtual index (n-1)q, lerp between neighbours from the nearer side), so ranks that land exactly on an
 * edge fall in the same bin as in pandas.
 */
export function quintileEdges(n: number): Float64Array {
  const edges = new Float64Array(5);
  QUANTILES.forEach((q, k) => {
    const virtual = (n - 1) * q;
    if (virtual >= n - 1) {
      edges[k] = n;
      return;
    }
    const previous = Math.floor(virtual);
    const t = virtual - previous;
    const a = previous + 1;
    const b = previous + 2;
    edges[k] = t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
  });
  return edges;
}

/**
 * The quintile label 1..5 of each rank 1..n, indexed by rank - 1. With n = 1 pandas refuses (all edges are
 * equal); Kinship gives the lone customer label 1, the bin the lowest rank always falls in.
 */
export function quintileLabels(n: number): Uint8Array {
  const labels = new Uint8Array(n);
  const edges = quintileEdges(n);
  let k = 0;
  for (let rank = 1; rank <= n; rank++) {
    while (k < 4 && rank > (edges[k] ?? n)) k++;
    labels[rank - 1] = k + 1;
  }
  return labels;
}

/**
 * Stable ascending sort of `order` (indices into `key`) by the numeric key: an LSD radix sort over the
 * IEEE-754 bits made order-preserving, 16 bits per pass, skipping passes where every key agrees. Stable, so
 * an `order` that arrives sorted by customer id keeps ties in customer-id order — pandas' `method='first'`.
 */
export function stableSortByKey(order: Int32Array, key: Float64Array): Int32Array {
  const n = order.length;
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  const view = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < n; i++) {
    const value = key[order[i] ?? 0] ?? 0;
    view.setFloat64(0, value === 0 ? 0 : value); // -0 sorts with 0
    let h = view.getUint32(0);
    let l = view.getUint32(4);
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else h = (h | 0x80000000) >>> 0;
    hi[i] = h;
    lo[i] = l;
  }
  return sortByWords(order, hi, lo);
}

/**
 * Stable ascending sort of `order` by the 64-bit key (hi[i], lo[i]) of its i-th element: LSD radix, 16 bits a
 * pass, passes where every key has the same digit skipped. `hi` and `lo` are used as scratch.
 */
export function sortByWords(order: Int32Array, hi: Uint32Array, lo: Uint32Array): Int32Array {
  const n = order.length;
  let current = Int32Array.from(order);
  let currentHi: Uint32Array = hi;
  let currentLo: Uint32Array = lo;
  let nextOrder = new Int32Array(n);
  let nextHi: Uint32Array = new Uint32Array(n);
  let nextLo: Uint32Array = new Uint32Array(n);
  const counts = new Int32Array(65_537);
  for (let pass = 0; pass < 4; pass++) {
    const words = pass < 2 ? currentLo : currentHi;
    const shift = pass % 2 === 0 ? 0 : 16;
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const digit = ((words[i] ?? 0) >>> shift) & 0xffff;
      counts[digit + 1] = (counts[digit + 1] ?? 0) + 1;
    }
    if (n === 0 || counts[(((words[0] ?? 0) >>> shift) & 0xffff) + 1] === n) continue; // every key has this digit
    for (let d = 1; d < counts.length; d++) counts[d] = (counts[d] ?? 0) + (counts[d - 1] ?? 0);
    for (let i = 0; i < n; i++) {
      const digit = ((words[i] ?? 0) >>> shift) & 0xffff;
      const at = counts[digit] ?? 0;
      counts[digit] = at + 1;
      nextOrder[at] = current[i] ?? 0;
      nextHi[at] = currentHi[i] ?? 0;
      nextLo[at] = currentLo[i] ?? 0;
    }
    [current, nextOrder] = [nextOrder, current];
    [currentHi, nextHi] = [nextHi, currentHi];
    [currentLo, nextLo] = [nextLo, currentLo];
  }
  return current;
}

/**
 * Quintile scores from a rank order (the row at each rank, e.g. `stableSortByKey` of the customer-id order):
 * `quintileLabels` by position, written into `scores` indexed by row. `reverse` gives 6 - label (recency:
 * fewest days = 5).
 */
export function writeQuintileScores(ranked: Int32Array, scores: Uint8Array, reverse: boolean): void {
  const labels = quintileLabels(ranked.length);
  for (let position = 0; position < ranked.length; position++) {
    const label = labels[position] ?? 1;
    scores[ranked[position] ?? 0] = reverse ? 6 - label : label;
  }
}
