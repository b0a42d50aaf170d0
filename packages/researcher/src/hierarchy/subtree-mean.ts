import type { TrainRequest__Output } from '@fedbiomed/proto';
import { resolveDp, planCompression } from '@fedbiomed/training';
import { TransportError } from '@fedbiomed/transport';
import type { TrainOutcome } from '../federation';

/** How the subtree's mean weights each leaf; must match the top researcher's FedAvg `weighting`. */
export type SubtreeWeighting = 'dataset_size' | 'processed';

/**
 * Strategies whose aggregate is not a function of the weighted sum of the updates: they need each
 * node's update (robust statistics, per-node control variates), so a subtree's mean would change their result.
 */
const NEEDS_INDIVIDUAL_UPDATES: ReadonlySet<string> = new Set(['fedmedian', 'fedtrimmedavg', 'krum', 'bulyan', 'scaffold']);

/**
 * Refuses a train request whose aggregate a subtree mean cannot reproduce (see docs/benchmarks/scale.md,
 * "Past one machine"): strategies that need every node's update, secure aggregation (the masks cancel
 * only over the researcher's whole set of nodes), per-node differential privacy (each node's spent
 * budget must reach the researcher) and compressed updates (the aggregator does not decode them).
 * The error travels to the top researcher as a `POLICY_VIOLATION` reply naming the reason.
 */
export function refuseUncomposable(train: TrainRequest__Output, aggregatorId: string): void {
  const refuse = (why: string): never => {
    throw new TransportError('REMOTE_ERROR', `intermediate aggregator "${aggregatorId}" cannot take part: ${why}`, { remoteCode: 'ERROR_CODE_POLICY_VIOLATION' });
  };
  if (NEEDS_INDIVIDUAL_UPDATES.has(train.strategyName)) {
    refuse(`strategy "${train.strategyName}" needs every node's individual update, an aggregator only sends its subtree's weighted mean`);
  }
  if (train.secureAggregation !== null) refuse('secure aggregation needs each node\'s masked update at the researcher (pairwise masks cancel only over all of them)');
  if (resolveDp(train.args?.dp) !== undefined) refuse('per-node differential privacy reports each node\'s spent budget, which a subtree mean would hide');
  if (train.plan !== null && planCompression(train.plan) !== undefined) refuse('the plan compresses updates; the aggregator forwards only float32 weights');
  if (Object.keys(train.aux).length > 0) refuse(`the request carries strategy state (${Object.keys(train.aux).join(', ')}) meant for individual nodes`);
}

/** The subtree's FedAvg mean and the counts the researcher weights it by. */
export interface SubtreeMean {
  /** Σ wᵢ·xᵢ / Σ wᵢ over the leaves' full weights (deltas applied to the global model). */
  readonly weights: Float32Array;
  /** Σ wᵢ: the subtree's train split under `dataset_size`, its processed samples under `processed`. */
  readonly totalWeight: number;
  /** Σ of the leaves' processed samples. */
  readonly sampleCount: number;
  readonly numUpdates: number;
}

/**
 * The sample-weighted mean of the leaves' replies, accumulated in Float64. With wᵢ the weight the
 * researcher's FedAvg would give leaf i (its train split, or its processed count), FedAvg over
 * subtrees weighted by Σ wᵢ equals FedAvg over all leaves: the weighted mean is associative.
 */
export function subtreeMean(replies: readonly TrainOutcome[], global: Float32Array, weighting: SubtreeWeighting): SubtreeMean {
  const sum = new Float64Array(global.length);
  let totalWeight = 0;
  let sampleCount = 0;
  let numUpdates = 0;
  for (const reply of replies) {
    const weight = weighting === 'processed' ? reply.sampleCount : reply.trainSize || reply.sampleCount;
    for (let i = 0; i < sum.length; i += 1) sum[i]! += weight * ((reply.weights[i] ?? 0) + (reply.isDelta ? global[i]! : 0));
    totalWeight += weight;
    sampleCount += reply.sampleCount;
    numUpdates = Math.max(numUpdates, reply.numUpdates);
  }
  const weights = Float32Array.from(sum, (value) => (totalWeight > 0 ? value / totalWeight : 0));
  return { weights, totalWeight, sampleCount, numUpdates };
}
