import { randomInt } from 'node:crypto';

import type { DpArgs__Output } from '@fedbiomed/proto';

import { TrainingError } from '../errors';
import { flattenWeights, unflattenWeights, type ModelWeights, type WeightTensor } from '../weights';

/** Source of standard normal draws for DP noise (the strategy package's `Rng` fits). */
export interface DpRng {
  nextGaussian(): number;
}

/**
 * Client-side DP on the whole update (mode `update`): clips Δ = local − global to L2 norm
 * `clipNorm`, adds N(0, (noiseMultiplier·clipNorm)²) to each value, and returns global + Δ̃.
 */
export function applyUpdatePrivacy(
  global: ModelWeights,
  local: ModelWeights,
  dp: Partial<DpArgs__Output>,
  rng: DpRng,
): WeightTensor[] {
  const clipNorm = dp.clipNorm ?? 0;
  const multiplier = dp.noiseMultiplier ?? 0;
  if (dp.mode && dp.mode !== 'update') {
    throw new TrainingError('UNSUPPORTED', `DP mode "${dp.mode}" is not supported; use "update"`);
  }
  if (!(clipNorm > 0) || multiplier < 0) {
    throw new TrainingError('INVALID_ARGUMENT', `DP needs clipNorm > 0 and noiseMultiplier ≥ 0, got ${clipNorm} and ${multiplier}`);
  }
  const x = flattenWeights(global);
  const update = flattenWeights(local);
  for (let k = 0; k < update.length; k++) update[k] = update[k]! - x[k]!;
  const { clipped } = clipByL2Norm(update, clipNorm);
  const noisy = addGaussianNoise(clipped, multiplier * clipNorm, rng);
  for (let k = 0; k < noisy.length; k++) noisy[k] = noisy[k]! + x[k]!;
  return unflattenWeights(local, noisy);
}

/** Draws from node:crypto, for DP noise outside tests. */
export function cryptoGaussianRng(): DpRng {
  const uniform = (): number => randomInt(0, 2 ** 47) / 2 ** 47;
  return {
    nextGaussian: () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()),
  };
}

function clipByL2Norm(update: Float32Array, maxNorm: number): { norm: number; clipped: Float32Array } {
  let sum = 0;
  for (const v of update) sum += v * v;
  const norm = Math.sqrt(sum);
  const scale = norm > maxNorm ? maxNorm / norm : 1;
  return { norm, clipped: update.map((v) => v * scale) };
}

function addGaussianNoise(values: Float32Array, std: number, rng: DpRng): Float32Array {
  return values.map((v) => v + std * rng.nextGaussian());
}
