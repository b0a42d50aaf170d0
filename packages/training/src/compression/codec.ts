import type { CompressedTensor__Output } from '@fedbiomed/proto';
import type { Rng } from '@fedbiomed/strategy';
import type { z } from 'zod';
import { TrainingError } from '../errors';

/** A tensor as a codec encodes it: the contract's `CompressedTensor`, before its bytes go on the wire. */
export type EncodedTensor = CompressedTensor__Output;

/** What an encoder may draw from: randomness for stochastic rounding and a seed shared with the decoder. */
export interface EncodeContext {
  /** Private randomness (stochastic rounding); the decoder never needs it. */
  readonly rng: Rng;
  /** A uint32 seed the encoder writes into the message, from which the decoder rebuilds rotations or indices. */
  readonly seed: number;
}

/**
 * One compression scheme. `encode` turns float32 values into a {@link EncodedTensor}; `decode`
 * turns one back into float32 values of exactly the encoded shape, refusing a malformed message
 * with `MALFORMED_COMPRESSED_TENSOR`. Decoding to float32 is the whole interface a consumer needs
 * (the researcher before the strategy, secure aggregation before its own fixed-point encoding).
 */
export interface CompressionCodec<P = unknown> {
  /** Registry name, snake_case or `package@version/name`. */
  readonly name: string;
  /**
   * `quantiser`: every value is sent, coarser; `sparsifier`: a subset of values is sent exactly.
   * Sparsifiers only compress updates (a sparse global model is not a model), and default to
   * error feedback on the node.
   */
  readonly kind: 'quantiser' | 'sparsifier';
  /** The parameters a plan may give, with their defaults. */
  readonly params: z.ZodType<P>;
  encode(values: Float32Array, shape: readonly number[], params: P, context: EncodeContext): EncodedTensor;
  decode(encoded: EncodedTensor): Float32Array;
}

/** A message with every field at its default; codecs fill in theirs. */
export function emptyEncoding(codec: string, shape: readonly number[]): EncodedTensor {
  return { codec, shape: [...shape], codes: Buffer.alloc(0), scales: [], bucketSize: 0, bits: 0, indexGaps: [], kept: 0, seed: '', rotated: false };
}

/** The error for a message that cannot be decoded; `codec` and the problem are named. */
export function malformed(codec: string, problem: string): TrainingError {
  return new TrainingError('MALFORMED_COMPRESSED_TENSOR', `compressed tensor (${codec}): ${problem}`);
}

/** Number of values of `shape`, refusing a shape no tensor here can have. */
export function elementCount(codec: string, shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) throw malformed(codec, `shape [${shape.join(', ')}] has a dimension that is not a non-negative integer`);
    count *= dim;
  }
  if (count > 2 ** 31) throw malformed(codec, `shape [${shape.join(', ')}] holds ${count} values, more than a tensor may`);
  return count;
}

/** The seed a message carries, as the uint32 it was written from. */
export function messageSeed(encoded: EncodedTensor): number {
  const seed = Number(encoded.seed);
  if (!/^\d+$/.test(encoded.seed) || seed > 0xffffffff) throw malformed(encoded.codec, `seed "${encoded.seed}" is not a uint32`);
  return seed;
}
