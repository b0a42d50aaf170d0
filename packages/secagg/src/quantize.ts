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
  const n = update.length;
  // Signed stores: a negative word is its two's complement, the same bits as the Uint32Array view returned.
  const signed = new Int32Array(n);
  let clipped = 0;
  for (let i = 0; i < n; i++) {
    let value = update[i] as number;
    // One rarely taken branch for everything outside the range: NaN fails every comparison.
    if (!(value >= -clipRange && value <= clipRange)) {
      if (!Number.isFinite(value)) throw new SecAggError('MALFORMED', `the update holds ${value} at index ${i}; secure aggregation masks finite values only`);
      value = value > 0 ? clipRange : -clipRange;
      clipped += 1;
    }
    signed[i] = roundHalfUp(value * factor);
  }
  return { words: new Uint32Array(signed.buffer), clipped };
}

/**
 * Math.round(x) for |x| < 2^31, several times faster in V8's optimised loops: floor(x + 0.5) is exact
 * there except for the largest double below 1/2, where the addition rounds up to 1.
 */
export function roundHalfUp(x: number): number {
  const rounded = Math.floor(x + 0.5);
  // rounded − 0.5 is exact for integers below 2^52, so this spots the one case the addition rounded up.
  return x < rounded - 0.5 ? rounded - 1 : rounded;
}

/** Decodes an unmasked sum of weighted contributions into the weighted mean (Float64). */
export function dequantizeMean(parameters: SecAggParameters, sum: Uint32Array, weightSum: number): Float64Array {
  const divisor = fixedPointScale(parameters) * weightSum;
  const mean = new Float64Array(sum.length);
  // `| 0` reads a word as a signed 32-bit integer: the sum is below 2^31 in magnitude by construction.
  for (let i = 0; i < sum.length; i++) mean[i] = ((sum[i] as number) | 0) / divisor;
  return mean;
}
