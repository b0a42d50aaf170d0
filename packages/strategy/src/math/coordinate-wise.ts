/**
 * Coordinate-wise robust statistics over K flat vectors. For each coordinate the K values are
 * sorted, so the result does not depend on the order of the inputs, bit for bit.
 */

/** Calls `reduce(sorted)` on the K values of each coordinate (sorted ascending, Float64) and stores its result. */
function reduceCoordinates(inputs: readonly Float32Array[], reduce: (sorted: Float64Array) => number): Float32Array {
  const k = inputs.length;
  const size = inputs[0]?.length ?? 0;
  const column = new Float64Array(k);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < k; j++) column[j] = inputs[j]![i]!;
    column.sort();
    out[i] = reduce(column);
  }
  return out;
}

/** Median of a sorted array; the mean of the two middle values when the length is even. */
function sortedMedian(sorted: Float64Array): number {
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Coordinate-wise median (Yin et al. 2018, "Byzantine-Robust Distributed Learning: Towards
 * Optimal Statistical Rates"): out[i] = median_k x_k[i], unweighted.
 */
export function coordinateMedian(inputs: readonly Float32Array[]): Float32Array {
  return reduceCoordinates(inputs, sortedMedian);
}

/** How many values {@link trimmedMean} cuts from each end for K inputs and proportion β. */
function trimCount(k: number, beta: number): number {
  return Math.floor(beta * k);
}

/**
 * Coordinate-wise β-trimmed mean (Yin et al. 2018): drop the ⌊βK⌋ smallest and ⌊βK⌋ largest
 * values of each coordinate and average the rest, unweighted (as scipy's `trim_mean`, used by
 * Flower's FedTrimmedAvg). The caller guarantees K − 2⌊βK⌋ ≥ 1.
 */
export function trimmedMean(inputs: readonly Float32Array[], beta: number): Float32Array {
  const cut = trimCount(inputs.length, beta);
  const kept = inputs.length - 2 * cut;
  return reduceCoordinates(inputs, (sorted) => {
    let sum = 0;
    for (let j = cut; j < cut + kept; j++) sum += sorted[j]!;
    return sum / kept;
  });
}

/**
 * For each coordinate, the mean of the `count` values closest to the coordinate's median
 * (Bulyan's second stage, El Mhamdi et al. 2018). Ties go to the smaller value. The closest values
 * form a window of the sorted column, grown outwards from the median.
 */
export function meanAroundMedian(inputs: readonly Float32Array[], count: number): Float32Array {
  return reduceCoordinates(inputs, (sorted) => {
    const median = sortedMedian(sorted);
    let low = (sorted.length - 1) >> 1;
    let high = low;
    // Start from the lower middle and grow towards whichever neighbour is closer to the median.
    while (high - low + 1 < count) {
      const below = low > 0 ? median - sorted[low - 1]! : Infinity;
      const above = high < sorted.length - 1 ? sorted[high + 1]! - median : Infinity;
      if (below <= above) low--;
      else high++;
    }
    let sum = 0;
    for (let j = low; j <= high; j++) sum += sorted[j]!;
    return sum / count;
  });
}
