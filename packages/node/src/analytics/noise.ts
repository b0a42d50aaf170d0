/**
 * The two noise mechanisms of analytics replies, calibrated to a vector's sensitivity to adding or
 * removing one row: Laplace (pure ε-DP, L1 sensitivity) and the classical Gaussian mechanism
 * ((ε, δ)-DP for ε < 1, L2 sensitivity; Dwork and Roth 2014, theorem A.1).
 */
import type { Rng } from '@fedbiomed/strategy';

/** How much one row can change a released vector. */
export interface Sensitivity {
  readonly l1: number;
  readonly l2: number;
}

/** A mechanism and the budget of one released vector. */
export type NoiseMechanism =
  | { readonly mechanism: 'laplace'; readonly epsilon: number }
  | { readonly mechanism: 'gaussian'; readonly epsilon: number; readonly delta: number };

/** Laplace scale `b = Δ₁ / ε`, or Gaussian `σ = Δ₂ √(2 ln(1.25 / δ)) / ε`. */
export function noiseScale(mechanism: NoiseMechanism, sensitivity: Sensitivity): number {
  if (mechanism.mechanism === 'laplace') return sensitivity.l1 / mechanism.epsilon;
  return (sensitivity.l2 * Math.sqrt(2 * Math.log(1.25 / mechanism.delta))) / mechanism.epsilon;
}

/** One draw of Laplace(0, b) by inverting its CDF. */
export function laplaceNoise(rng: Rng, scale: number): number {
  let u = rng.nextFloat();
  // u = 0 would give ln(0); the draw has probability 2^-53.
  while (u === 0) u = rng.nextFloat();
  const centred = u - 0.5;
  return -scale * Math.sign(centred) * Math.log(1 - 2 * Math.abs(centred));
}

/** `values` with independent noise of `scale` added to each (Laplace b or Gaussian σ). */
export function addNoise(values: readonly number[], mechanism: NoiseMechanism, scale: number, rng: Rng): number[] {
  return values.map((v) => v + (mechanism.mechanism === 'laplace' ? laplaceNoise(rng, scale) : scale * rng.nextGaussian()));
}
