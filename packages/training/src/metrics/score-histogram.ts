import { TrainingError } from '../errors';
import type { Labels } from './classification';

/**
 * Bins of a score histogram: equal-width bins of the predicted positive-class probability on
 * [0, 1], so that a pooled AUC is off by at most half the share of positive-negative pairs that
 * fall in the same bin (see {@link pooledRocAuc}).
 */
export const SCORE_HISTOGRAM_BINS = 1000;

/**
 * Counts of samples per score bin, by true label: bin i holds scores in [i/B, (i+1)/B), the last bin
 * also 1. Counts only, never a sample's score or label; the proto `ScoreHistogram`.
 */
export interface ScoreHistogram {
  readonly negatives: number[];
  readonly positives: number[];
}

/** A pooled AUC and the most it can differ from the AUC of the pooled scores themselves. */
export interface PooledRocAuc {
  /** Mann-Whitney AUC over the pooled bins, pairs within one bin counted ½; NaN with one class. */
  readonly value: number;
  /** |value − exact AUC| ≤ errorBound: ½ · Σ_b P_b·N_b / (P·N), P_b and N_b the bin's positives and negatives. */
  readonly errorBound: number;
  readonly positives: number;
  readonly negatives: number;
}

/**
 * Histograms binary `yTrue` (1 positive, anything else negative) against scores in [0, 1] over
 * `bins` equal-width bins. Scores outside [0, 1] are clamped into the end bins; NaN is refused.
 */
export function scoreHistogram(yTrue: Labels, scores: Labels, bins: number = SCORE_HISTOGRAM_BINS): ScoreHistogram {
  if (!Number.isInteger(bins) || bins < 1) throw new TrainingError('INVALID_ARGUMENT', `score histogram bins must be a positive integer, got ${bins}`);
  if (yTrue.length !== scores.length) {
    throw new TrainingError('INVALID_ARGUMENT', `score histogram: ${yTrue.length} labels but ${scores.length} scores`);
  }
  const negatives = new Array<number>(bins).fill(0);
  const positives = new Array<number>(bins).fill(0);
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i]!;
    if (Number.isNaN(score)) throw new TrainingError('INVALID_ARGUMENT', `score histogram: score ${i} is NaN`);
    const bin = Math.min(bins - 1, Math.max(0, Math.floor(score * bins)));
    if (yTrue[i] === 1) positives[bin]! += 1;
    else negatives[bin]! += 1;
  }
  return { negatives, positives };
}

/**
 * ROC AUC of the union of the samples behind `histograms` (one per node, same bin count), computed
 * from the summed counts: a positive scores above every negative of a lower bin and ties, counting
 * ½, with the negatives of its own bin. The result differs from the AUC of the concatenated scores
 * by at most {@link PooledRocAuc.errorBound}, which is at most ½ · the largest share of negatives
 * in one bin (≤ ½ · w · g_max for bin width w and negative-score density g_max).
 *
 * @throws TrainingError `INVALID_ARGUMENT` when the histograms' bin counts differ or a count is not a
 * non-negative integer
 */
export function pooledRocAuc(histograms: readonly ScoreHistogram[]): PooledRocAuc {
  const bins = histograms[0]?.negatives.length ?? 0;
  const negatives = new Array<number>(bins).fill(0);
  const positives = new Array<number>(bins).fill(0);
  histograms.forEach((histogram, index) => {
    if (histogram.negatives.length !== bins || histogram.positives.length !== bins) {
      throw new TrainingError(
        'INVALID_ARGUMENT',
        `score histogram ${index} has ${histogram.negatives.length} negative and ${histogram.positives.length} positive bins, expected ${bins}`,
      );
    }
    for (let b = 0; b < bins; b++) {
      negatives[b]! += count(histogram.negatives[b], index);
      positives[b]! += count(histogram.positives[b], index);
    }
  });
  let negativesBelow = 0;
  let pairsAbove = 0;
  let pairsTied = 0;
  for (let b = 0; b < bins; b++) {
    pairsAbove += positives[b]! * negativesBelow;
    pairsTied += positives[b]! * negatives[b]!;
    negativesBelow += negatives[b]!;
  }
  const totalPositives = positives.reduce((a, c) => a + c, 0);
  const pairs = totalPositives * negativesBelow;
  if (pairs === 0) return { value: Number.NaN, errorBound: Number.NaN, positives: totalPositives, negatives: negativesBelow };
  return { value: (pairsAbove + pairsTied / 2) / pairs, errorBound: pairsTied / 2 / pairs, positives: totalPositives, negatives: negativesBelow };
}

function count(value: number | undefined, histogram: number): number {
  if (value === undefined || !Number.isSafeInteger(value) || value < 0) {
    throw new TrainingError('INVALID_ARGUMENT', `score histogram ${histogram} holds a count of ${value}, not a non-negative integer`);
  }
  return value;
}
