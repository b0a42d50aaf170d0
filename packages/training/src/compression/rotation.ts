import { createSeededRng } from '@fedbiomed/strategy';

/** The smallest power of two ≥ `length` (1 for an empty tensor): the length of a rotated tensor. */
export function rotatedLength(length: number): number {
  let padded = 1;
  while (padded < length) padded *= 2;
  return padded;
}

/** In place, unnormalised fast Walsh–Hadamard transform; `values.length` is a power of two. */
function walshHadamard(values: Float32Array): void {
  for (let width = 1; width < values.length; width *= 2) {
    for (let start = 0; start < values.length; start += width * 2) {
      for (let i = start; i < start + width; i++) {
        const a = values[i] as number;
        const b = values[i + width] as number;
        values[i] = a + b;
        values[i + width] = a - b;
      }
    }
  }
}

/** ±1 signs drawn from `seed`: the diagonal D of the rotation, rebuilt identically by the decoder. */
function randomSigns(seed: number, length: number): Int8Array {
  const rng = createSeededRng(seed);
  const signs = new Int8Array(length);
  for (let i = 0; i < length; i++) signs[i] = rng.nextFloat() < 0.5 ? -1 : 1;
  return signs;
}

/**
 * Konečný et al. (2016)'s structured random rotation: x ↦ H·D·x / √m with D random signs from
 * `seed` and H the Walsh–Hadamard matrix, after zero-padding to m = a power of two. It spreads a
 * tensor's energy evenly over its coordinates, so the largest magnitude (a quantiser's scale) comes
 * close to the root mean square and quantisation error shrinks.
 */
export function rotate(values: Float32Array, seed: number): Float32Array {
  const length = rotatedLength(values.length);
  const signs = randomSigns(seed, length);
  const rotated = new Float32Array(length);
  for (let i = 0; i < values.length; i++) rotated[i] = (values[i] as number) * (signs[i] as number);
  walshHadamard(rotated);
  const norm = 1 / Math.sqrt(length);
  for (let i = 0; i < length; i++) rotated[i] = (rotated[i] as number) * norm;
  return rotated;
}

/** The inverse of {@link rotate} (H is symmetric and H·H = m·I), cut back to `length` values. */
export function unrotate(rotated: Float32Array, seed: number, length: number): Float32Array {
  const values = rotated.slice();
  walshHadamard(values);
  const signs = randomSigns(seed, values.length);
  const norm = 1 / Math.sqrt(values.length);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = (values[i] as number) * norm * (signs[i] as number);
  return out;
}
