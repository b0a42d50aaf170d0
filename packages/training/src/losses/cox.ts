import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

import { TrainingError } from '../errors';
import type { LossDefinition } from './loss-definition';

/** Stands for log 0 in the scans: finite, so that two of them combine without NaN, and far below any real value. */
const LOG_ZERO = -1e30;

/** log(e^a + e^b), element-wise, without overflow. */
function logAddExp(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.add(tf.maximum(a, b), tf.log1p(tf.exp(tf.neg(tf.abs(tf.sub(a, b))))));
}

/**
 * Prefix log-sum-exp, out[k] = log Σ_{j ≤ k} e^x[j], in log₂ n doubling steps (Hillis–Steele).
 * Each step combines two log-sums pairwise, so no term under- or overflows whatever the spread of x.
 */
export function cumulativeLogSumExp(x: tf.Tensor1D): tf.Tensor1D {
  const n = x.shape[0];
  let acc: tf.Tensor = x;
  for (let shift = 1; shift < n; shift *= 2) {
    acc = logAddExp(acc, tf.concat([tf.fill([shift], LOG_ZERO), acc.slice(0, n - shift)]));
  }
  return acc as tf.Tensor1D;
}

/** A batch sorted by decreasing time, with the bounds of each sample's group of tied times. */
interface SortedBatch {
  readonly scores: tf.Tensor1D;
  readonly events: tf.Tensor1D;
  /** Batch index of each sorted position. */
  readonly order: tf.Tensor1D;
  /** First and last sorted position of the samples whose time equals this one's. */
  readonly tieStart: tf.Tensor1D;
  readonly tieEnd: tf.Tensor1D;
}

function sortByTimeDescending(scores: tf.Tensor, labels: tf.Tensor): SortedBatch {
  const n = scores.shape[0]!;
  const [time, event] = tf.unstack(labels.reshape([n, 2]), 1) as [tf.Tensor1D, tf.Tensor1D];
  const { values: times, indices: order } = tf.topk(time, n);
  const ascending = tf.neg(times);
  return {
    scores: tf.gather(scores.as1D(), order),
    events: tf.gather(event, order),
    order,
    tieStart: tf.lowerBound(ascending, ascending).as1D(),
    tieEnd: tf.sub(tf.upperBound(ascending, ascending), tf.scalar(1, 'int32')).as1D(),
  };
}

/**
 * log Σ_{j : t_j ≥ t_k} e^{s_j} for each sorted position k: Breslow's risk set holds every sample
 * still at risk at t_k, those tied with it included, hence the prefix up to the end of k's tie group.
 */
function riskSetLogSums(batch: SortedBatch): tf.Tensor1D {
  return tf.gather(cumulativeLogSumExp(batch.scores), batch.tieEnd);
}

/** The loss on saved (scores, labels) and its gradient with respect to the scores. */
const coxPartialLikelihood = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [scores, labels, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([scores, labels]);
  const batch = sortByTimeDescending(scores, labels);
  const eventCount = tf.maximum(tf.sum(batch.events), 1);
  const value = tf.div(tf.sum(tf.mul(batch.events, tf.sub(riskSetLogSums(batch), batch.scores))), eventCount) as tf.Scalar;
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [s, y] = saved as [tf.Tensor, tf.Tensor];
    const sorted = sortByTimeDescending(s, y);
    const n = sorted.scores.shape[0];
    // ∂/∂s_k = (e^{s_k}·Σ_{events i : t_i ≤ t_k} e^{−R_i} − e_k) / #events, the sum taken in log space
    // from the start of k's tie group to the end (shortest times) so that e^{s_k − R_i} ≤ 1 never overflows.
    const logWeights = tf.where(tf.greater(sorted.events, 0), tf.sub(tf.log(sorted.events), riskSetLogSums(sorted)), tf.fill([n], LOG_ZERO));
    const suffix = tf.reverse(cumulativeLogSumExp(tf.reverse(logWeights) as tf.Tensor1D));
    const inRiskSets = tf.exp(tf.add(sorted.scores, tf.gather(suffix, sorted.tieStart)));
    const count = tf.maximum(tf.sum(sorted.events), 1);
    const gradSorted = tf.mul(tf.div(tf.sub(inRiskSets, sorted.events), count), dy);
    const grad = tf.scatterND(sorted.order.expandDims(1), gradSorted, [n]);
    return [grad.reshape(s.shape), tf.zerosLike(y)];
  };
  return { value, gradFunc };
});

/**
 * Negative partial log-likelihood of the Cox proportional-hazards model, with Breslow's handling of
 * tied times, averaged over the batch's events:
 *
 *   L = (1 / #events) · Σ_{events i} [ log Σ_{j : t_j ≥ t_i} e^{s_j} − s_i ]
 *
 * The outputs s are log-risk scores (one per sample, higher means earlier event); labels are
 * `[time, event]` rows. Risk sets are formed within the batch by sorting it by time. A batch without
 * any event has no term: its loss is 0 and so is its gradient (nothing to learn from it).
 *
 * FLamby's Fed-TCGA-BRCA `BaselineLoss` computes the same terms but divides by the batch size, orders
 * tied times by their position in the batch instead of Breslow's rule, and takes labels as `[event, time]`.
 */
export const coxPh: LossDefinition<Record<string, never>> = {
  name: 'cox_ph',
  description: 'Cox proportional-hazards negative partial log-likelihood, Breslow ties, mean over events; labels [time, event]',
  target: 'survival',
  params: z.strictObject({}),
  outputs: () => 'values',
  fn: (labels, outputs) => {
    const n = outputs.shape[0]!;
    if (outputs.size !== n || labels.size !== 2 * n) {
      throw new TrainingError(
        'INVALID_ARGUMENT',
        `cox_ph needs one output and a [time, event] label per sample; got outputs [${outputs.shape.join(', ')}] and labels [${labels.shape.join(', ')}]`,
      );
    }
    return coxPartialLikelihood(outputs, labels) as tf.Scalar;
  },
};
