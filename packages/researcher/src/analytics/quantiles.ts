/**
 * Quantiles from a (pooled) histogram. The q-quantile is the value of rank r = max(1, ⌈q·N⌉) among
 * the N sorted values (the inverted empirical CDF, numpy's `inverted_cdf`). The histogram says which
 * bin holds that rank, so the exact quantile lies in that bin: the estimate, interpolated linearly
 * inside it, is off by at most the bin's width. Bounds are exact for exact counts; under DP noise the
 * counts, and so the bin found, are noisy.
 */

/** One quantile: the estimate and the interval the exact value lies in. */
export interface QuantileEstimate {
  readonly probability: number;
  readonly value: number;
  /** The bin holding the quantile's rank; ±Infinity when it falls below the first or above the last edge. */
  readonly lower: number;
  readonly upper: number;
  /** `upper - lower`: the most the estimate can be off by. */
  readonly errorBound: number;
}

/**
 * Estimates quantiles from counts below the first edge, per bin and above the last edge
 * (`edges.length + 1` counts). Negative counts (noise) count as 0.
 */
export function quantilesFromHistogram(edges: readonly number[], counts: readonly number[], probabilities: readonly number[]): QuantileEstimate[] {
  const clean = counts.map((c) => Math.max(0, c));
  const total = clean.reduce((a, b) => a + b, 0);
  return probabilities.map((probability) => {
    const rank = Math.max(1, Math.ceil(probability * total));
    let before = 0;
    let bin = clean.length - 1;
    for (let i = 0; i < clean.length; i += 1) {
      if (before + (clean[i] as number) >= rank) {
        bin = i;
        break;
      }
      before += clean[i] as number;
    }
    const lower = bin === 0 ? -Infinity : (edges[bin - 1] as number);
    const upper = bin === edges.length ? Infinity : (edges[bin] as number);
    const inBin = clean[bin] as number;
    const value = !Number.isFinite(lower) ? upper : !Number.isFinite(upper) ? lower : lower + ((upper - lower) * (rank - before)) / Math.max(inBin, 1);
    return { probability, value: total === 0 ? NaN : value, lower, upper, errorBound: upper - lower };
  });
}
