/**
 * Krum scores (Blanchard et al. 2017, "Machine Learning with Adversaries: Byzantine Tolerant
 * Gradient Descent", NeurIPS) from pairwise squared distances.
 */

/** Coordinates per block: K blocks of this many float32 stay in cache while every pair is visited. */
const BLOCK = 4096;

/**
 * Squared L2 distances between every pair of inputs, as a K×K row-major Float64Array (K² numbers,
 * never K×K×P). Computed block by block over the coordinates, so each block of every input is
 * read from memory once for all pairs. d(i, j) and d(j, i) are the same number.
 */
export function pairwiseSquaredDistances(inputs: readonly Float32Array[]): Float64Array {
  const k = inputs.length;
  const size = inputs[0]?.length ?? 0;
  const distances = new Float64Array(k * k);
  for (let start = 0; start < size; start += BLOCK) {
    const end = Math.min(size, start + BLOCK);
    for (let i = 0; i < k; i++) {
      const a = inputs[i]!;
      for (let j = i + 1; j < k; j++) {
        const b = inputs[j]!;
        // Four independent partial sums: the add latency, not memory, bounds a single chain.
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let c = start;
        for (; c + 3 < end; c += 4) {
          const d0 = a[c]! - b[c]!;
          const d1 = a[c + 1]! - b[c + 1]!;
          const d2 = a[c + 2]! - b[c + 2]!;
          const d3 = a[c + 3]! - b[c + 3]!;
          s0 += d0 * d0;
          s1 += d1 * d1;
          s2 += d2 * d2;
          s3 += d3 * d3;
        }
        for (; c < end; c++) {
          const d = a[c]! - b[c]!;
          s0 += d * d;
        }
        distances[i * k + j]! += s0 + s1 + (s2 + s3);
      }
    }
  }
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) distances[j * k + i] = distances[i * k + j]!;
  return distances;
}

/**
 * Krum score of each candidate: the sum of its squared distances to its `neighbours` closest other
 * candidates. `candidates` are indices into the K×K `distances`; the sum runs over sorted
 * distances, so it does not depend on candidate order.
 */
export function krumScores(distances: Float64Array, k: number, candidates: readonly number[], neighbours: number): Float64Array {
  const scores = new Float64Array(candidates.length);
  const row = new Float64Array(Math.max(0, candidates.length - 1));
  candidates.forEach((i, position) => {
    let filled = 0;
    for (const j of candidates) if (j !== i) row[filled++] = distances[i * k + j]!;
    row.sort();
    let score = 0;
    for (let n = 0; n < Math.min(neighbours, filled); n++) score += row[n]!;
    scores[position] = score;
  });
  return scores;
}

/**
 * Indices of the `m` candidates with the lowest Krum scores, best first; ties go to the lower
 * index (callers order inputs by node id, so ties are broken by node id).
 */
export function selectByKrum(distances: Float64Array, k: number, candidates: readonly number[], neighbours: number, m: number): number[] {
  const scores = krumScores(distances, k, candidates, neighbours);
  return candidates
    .map((index, position) => ({ index, score: scores[position]! }))
    .sort((x, y) => x.score - y.score || x.index - y.index)
    .slice(0, m)
    .map(({ index }) => index);
}
