import { addGaussianNoise, clipByL2Norm, type Rng } from '@fedbiomed/strategy';
import type { DpArgs__Output } from '@fedbiomed/proto';

import { TrainingError } from '../errors';
import { flattenWeights, unflattenWeights, type ModelWeights, type WeightTensor } from '../weights';

/**
 * Client-side DP on the whole update (mode `update`): clips Δ = local − global to L2 norm
 * `clipNorm`, adds N(0, (noiseMultiplier·clipNorm)²) to each value, and returns global + Δ̃.
 */
export function applyUpdatePrivacy(global: ModelWeights, local: ModelWeights, dp: Partial<DpArgs__Output>, rng: Rng): WeightTensor[] {
  const clipNorm = dp.clipNorm ?? 0;
  const multiplier = dp.noiseMultiplier ?? 0;
  if (dp.mode && dp.mode !== 'update') {
    throw new TrainingError('UNSUPPORTED', `DP mode "${dp.mode}" is not supported; use "update"`);
  }
  if (!(clipNorm > 0) || !(multiplier >= 0)) {
    throw new TrainingError('INVALID_ARGUMENT', `DP needs clipNorm > 0 and noiseMultiplier ≥ 0, got ${clipNorm} and ${multiplier}`);
  }
  const x = flattenWeights(global);
  const update = flattenWeights(local);
  for (let k = 0; k < update.length; k++) update[k] = update[k]! - x[k]!;
  clipByL2Norm(update, clipNorm);
  addGaussianNoise(update, multiplier * clipNorm, rng);
  for (let k = 0; k < update.length; k++) update[k] = update[k]! + x[k]!;
  return unflattenWeights(local, update);
}
