import { SecAggError } from './errors';
import { fixedPointScale, type SecAggParameters } from './parameters';

/**
 * A node's contribution in the ring Z_{2^32}: round(s · weight · clip(x)) per coordinate, where
 * clip bounds each coordinate to [−clipRange, clipRange] and s is {@link fixedPointScale}.
 * Returns the words and how many coordinates were clipped (for the node's own log, never sent).
 */
export function quantizeWeighted(parameters: SecAggParameters, update: Float32Array, weight: number): { words: Uint32Array; clipped: number } {
  const { clipRange } = parameters;
  const factor = fixedPointScale(parameters) * weight;
  const words = new Uint32Array(update.length);
  let clipped = 0;
  for (let i = 0; i < update.length; i++) {
    const value = update[i] as number;
    if (!Number.isFinite(value)) throw new SecAggError('MALFORMED', `the update holds ${value} at index ${i}; secure aggregation masks finite values only`);
    const bounded = value > clipRange ? clipRange : value < -clipRange ? -clipRange : value;
    if (bounded !== value) clipped += 1;
    words[i] = Math.round(bounded * factor);
  }
  return { words, clipped };
}

/** Decodes an unmasked sum of weighted contributions into the weighted mean (Float64). */
export function dequantizeMean(parameters: SecAggParameters, sum: Uint32Array, weightSum: number): Float64Array {
  const divisor = fixedPointScale(parameters) * weightSum;
  const mean = new Float64Array(sum.length);
  // `| 0` reads a word as a signed 32-bit integer: the sum is below 2^31 in magnitude by construction.
  for (let i = 0; i < sum.length; i++) mean[i] = ((sum[i] as number) | 0) / divisor;
  return mean;
}
