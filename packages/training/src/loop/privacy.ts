import { addGaussianNoise, clipByL2Norm, type Rng } from '@fedbiomed/strategy';
import type { DpArgs__Output } from '@fedbiomed/proto';

import { TrainingError } from '../errors';
import { flattenWeights, unflattenWeights, type ModelWeights, type WeightTensor } from '../weights';

/**
 * Where client-side DP clips and noises: `update` clips the round's whole update Δ once and adds
 * noise to it; `sample` is DP-SGD, clipping every example's gradient and noising every step's sum.
 */
export type DpMode = 'update' | 'sample';

/** Validated client-side DP settings of one round. */
export interface ResolvedDp {
  readonly mode: DpMode;
  readonly clipNorm: number;
  readonly noiseMultiplier: number;
}

/** The training arguments' `dp`, checked: `undefined` when DP is off, else its mode, C and σ. */
export function resolveDp(dp: Partial<DpArgs__Output> | null | undefined): ResolvedDp | undefined {
  if (!dp?.enabled) return undefined;
  const mode = dp.mode || 'update';
  if (mode !== 'update' && mode !== 'sample') {
    throw new TrainingError('UNSUPPORTED', `DP mode "${mode}" is not supported; use "update" or "sample" (DP-SGD)`);
  }
  const clipNorm = Number(dp.clipNorm ?? 0);
  const noiseMultiplier = Number(dp.noiseMultiplier ?? 0);
  if (!(clipNorm > 0) || !Number.isFinite(clipNorm) || !(noiseMultiplier >= 0) || !Number.isFinite(noiseMultiplier)) {
    throw new TrainingError('INVALID_ARGUMENT', `DP needs clipNorm > 0 and noiseMultiplier ≥ 0, got ${dp.clipNorm} and ${dp.noiseMultiplier}`);
  }
  return { mode, clipNorm, noiseMultiplier };
}

/**
 * Client-side DP on the whole update (mode `update`): clips Δ = local − global to L2 norm
 * `clipNorm`, adds N(0, (noiseMultiplier·clipNorm)²) to each value, and returns global + Δ̃.
 */
export function applyUpdatePrivacy(global: ModelWeights, local: ModelWeights, dp: ResolvedDp, rng: Rng): WeightTensor[] {
  const x = flattenWeights(global);
  const update = flattenWeights(local);
  for (let k = 0; k < update.length; k++) update[k] = update[k]! - x[k]!;
  clipByL2Norm(update, dp.clipNorm);
  addGaussianNoise(update, dp.noiseMultiplier * dp.clipNorm, rng);
  for (let k = 0; k < update.length; k++) update[k] = update[k]! + x[k]!;
  return unflattenWeights(local, update);
}

/**
 * The sampled Gaussian mechanism one round of local training runs, as the RDP accountant
 * (`computeRdp` of `@fedbiomed/strategy`) takes it, with record-level neighbouring datasets (one
 * row added or removed).
 */
export interface DpMechanism {
  readonly mode: DpMode;
  /** q: the chance that a given row is in one step's sample. */
  readonly samplingRate: number;
  /** σ relative to the sensitivity of one row. */
  readonly noiseMultiplier: number;
  readonly steps: number;
}

/** What {@link dpMechanism} needs besides `dp`: the round's arguments and the train split's size. */
export interface DpRoundShape {
  readonly trainSize: number;
  readonly batchSize?: number | null;
  readonly epochs?: number | null;
  readonly numUpdates?: number | null;
  readonly batchMaxnum?: number | null;
}

/**
 * The mechanism a round with `dp` runs on `trainSize` rows, for the accountant; `undefined` when DP
 * is off. DP-SGD (`sample`): q = batch / train size, σ as given, one step per optimiser step of the
 * round (numUpdates, else epochs × batches per epoch, capped by batchMaxnum), the bound the node
 * charges before training. `update`: the whole split every time (q = 1), one release per round; one
 * row can move the clipped update anywhere in the C-ball, a distance of up to 2C, so σ is halved.
 */
export function dpMechanism(dp: ResolvedDp | undefined, round: DpRoundShape): DpMechanism | undefined {
  if (dp === undefined) return undefined;
  if (dp.mode === 'update') return { mode: 'update', samplingRate: 1, noiseMultiplier: dp.noiseMultiplier / 2, steps: 1 };
  const trainSize = Math.max(1, round.trainSize);
  const batchSize = Math.min(round.batchSize || DEFAULT_BATCH_SIZE, trainSize);
  const batchesPerEpoch = Math.ceil(trainSize / batchSize);
  const steps = (round.numUpdates ?? 0) > 0
    ? Number(round.numUpdates)
    : (round.epochs || 1) * ((round.batchMaxnum ?? 0) > 0 ? Math.min(Number(round.batchMaxnum), batchesPerEpoch) : batchesPerEpoch);
  return { mode: 'sample', samplingRate: batchSize / trainSize, noiseMultiplier: dp.noiseMultiplier, steps };
}

/** The batch size the local loop uses when a round asks for none (0). */
export const DEFAULT_BATCH_SIZE = 32;
