import type { Rng } from '../rng';

/** L2 norm of `values`, accumulated in Float64. */
export function l2Norm(values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * values[i]!;
  return Math.sqrt(sum);
}

/**
 * Scales `update` in place so that its L2 norm is at most `maxNorm`:
 * u ← u · min(1, C / ‖u‖) (Abadi et al. 2016; McMahan et al. 2018, "Learning Differentially
 * Private Recurrent Language Models"). Returns the norm before clipping and whether it was scaled.
 */
export function clipByL2Norm(update: Float32Array, maxNorm: number): { norm: number; clipped: boolean } {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) throw new RangeError(`maxNorm must be a positive finite number, got ${maxNorm}`);
  const norm = l2Norm(update);
  if (!(norm > maxNorm)) return { norm, clipped: false };
  const scale = maxNorm / norm;
  for (let i = 0; i < update.length; i++) update[i] = update[i]! * scale;
  return { norm, clipped: true };
}

/** Adds independent N(0, std²) noise to every value, in place, drawing from `rng`. */
export function addGaussianNoise(values: Float32Array, std: number, rng: Rng): void {
  if (!(std >= 0) || !Number.isFinite(std)) throw new RangeError(`std must be a non-negative finite number, got ${std}`);
  if (std === 0) return;
  for (let i = 0; i < values.length; i++) values[i] = values[i]! + std * rng.nextGaussian();
}
