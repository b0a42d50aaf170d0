import { createSeededRng } from '@fedbiomed/strategy';
import { z } from 'zod';
import { elementCount, emptyEncoding, malformed, messageSeed, type CompressionCodec, type EncodedTensor } from './codec';

/** Parameters of the sparsifiers: the fraction of values kept (at least one value of a non-empty tensor). */
export const sparsifyParamsSchema = z.strictObject({ fraction: z.number().gt(0).max(1) });
/** Parameters of {@link topKCodec} and {@link randomKCodec}. */
export type SparsifyParams = z.output<typeof sparsifyParamsSchema>;

const keptCount = (length: number, fraction: number): number => (length === 0 ? 0 : Math.max(1, Math.ceil(length * fraction)));

/** The `k` indices of the largest magnitudes, ascending (ties broken towards lower indices). */
export function largestIndices(values: Float32Array, k: number): Uint32Array {
  const magnitudes = values.map(Math.abs).sort();
  const threshold = magnitudes[values.length - k] ?? 0;
  const above: number[] = [];
  const at: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const magnitude = Math.abs(values[i] as number);
    if (magnitude > threshold) above.push(i);
    else if (magnitude === threshold) at.push(i);
  }
  return Uint32Array.from([...above, ...at.slice(0, k - above.length)]).sort();
}

/** `k` distinct indices of [0, length) drawn from `seed` (partial Fisher–Yates), ascending. */
export function seededIndices(seed: number, length: number, k: number): Uint32Array {
  const rng = createSeededRng(seed);
  const pool = new Uint32Array(length);
  for (let i = 0; i < length; i++) pool[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng.nextFloat() * (length - i));
    const picked = pool[j] as number;
    pool[j] = pool[i] as number;
    pool[i] = picked;
  }
  return pool.slice(0, k).sort();
}

function keptValues(values: Float32Array, indices: Uint32Array): Buffer {
  const codes = Buffer.alloc(indices.length * 4);
  indices.forEach((index, i) => codes.writeFloatLE(values[index] as number, i * 4));
  return codes;
}

/** Scatters the kept float32 values at `indices` into a zero tensor of `count` values. */
function scatter(codec: string, encoded: EncodedTensor, indices: ArrayLike<number>, count: number): Float32Array {
  if (encoded.codes.length !== indices.length * 4) {
    throw malformed(codec, `${encoded.codes.length} bytes of values for ${indices.length} kept indices (expected ${indices.length * 4})`);
  }
  const values = new Float32Array(count);
  for (let i = 0; i < indices.length; i++) {
    const value = encoded.codes.readFloatLE(i * 4);
    if (!Number.isFinite(value)) throw malformed(codec, `kept value ${i} is ${value}`);
    values[indices[i] as number] = value;
  }
  return values;
}

/**
 * Top-k sparsification: the `fraction` of values largest in magnitude, sent exactly with their
 * indices (delta-coded, so a varint of a byte or two each); the rest is left to the node's error
 * feedback, which adds it to the next round's update.
 */
export const topKCodec: CompressionCodec<SparsifyParams> = {
  name: 'top_k',
  kind: 'sparsifier',
  params: sparsifyParamsSchema,
  encode(values, shape, { fraction }) {
    const indices = largestIndices(values, keptCount(values.length, fraction));
    const indexGaps = Array.from(indices, (index, i) => index - (i === 0 ? 0 : (indices[i - 1] as number)));
    return { ...emptyEncoding('top_k', shape), codes: keptValues(values, indices), indexGaps, kept: indices.length };
  },
  decode(encoded) {
    const count = elementCount('top_k', encoded.shape);
    const indices = new Array<number>(encoded.indexGaps.length);
    let index = -1;
    for (let i = 0; i < encoded.indexGaps.length; i++) {
      const gap = encoded.indexGaps[i] as number;
      if (i > 0 && gap === 0) throw malformed('top_k', `index gap ${i} is 0; kept indices are distinct and ascending`);
      index = i === 0 ? gap : index + gap;
      if (index >= count) throw malformed('top_k', `kept index ${index} is out of range for ${count} values`);
      indices[i] = index;
    }
    if (encoded.kept !== indices.length) throw malformed('top_k', `kept is ${encoded.kept} but ${indices.length} indices are listed`);
    return scatter('top_k', encoded, indices, count);
  },
};

/**
 * Random-k sparsification: `fraction` of the values at indices drawn from a seed sent in the
 * message (no index list on the wire), unscaled, so it relies on error feedback like top-k.
 */
export const randomKCodec: CompressionCodec<SparsifyParams> = {
  name: 'random_k',
  kind: 'sparsifier',
  params: sparsifyParamsSchema,
  encode(values, shape, { fraction }, { seed }) {
    const indices = seededIndices(seed, values.length, keptCount(values.length, fraction));
    return { ...emptyEncoding('random_k', shape), codes: keptValues(values, indices), kept: indices.length, seed: String(seed) };
  },
  decode(encoded) {
    const count = elementCount('random_k', encoded.shape);
    if (encoded.kept > count) throw malformed('random_k', `kept is ${encoded.kept}, more than the ${count} values of the tensor`);
    return scatter('random_k', encoded, seededIndices(messageSeed(encoded), count, encoded.kept), count);
  },
};
