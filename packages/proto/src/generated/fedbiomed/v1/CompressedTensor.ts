// Original file: proto/fedbiomed/v1/compression.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One tensor encoded by a codec; the receiver decodes it back to float32 values of `shape`.
 */
export interface CompressedTensor {
  /**
   * Name of the codec in the compression registry ("float16", "qsgd", "top_k", "random_k", ...).
   */
  'codec'?: (string);
  /**
   * Shape of the decoded tensor; the decoded tensor holds exactly product(shape) values.
   */
  'shape'?: (number | string | Long)[];
  /**
   * Codes: float16 values, packed signed levels (8 or 4 bits each) or float32 kept values.
   */
  'codes'?: (Buffer | Uint8Array | string);
  /**
   * One scale per bucket of `bucket_size` values (the bucket's largest magnitude), for quantisers.
   */
  'scales'?: (number | string)[];
  /**
   * Values per bucket; 0: one bucket for the whole (possibly rotated) tensor.
   */
  'bucketSize'?: (number);
  /**
   * Bits per level code (8 or 4), for quantisers.
   */
  'bits'?: (number);
  /**
   * Gaps between successive kept indices, ascending (the first gap is the first index), for top-k.
   */
  'indexGaps'?: (number)[];
  /**
   * Number of kept values, for sparsifiers.
   */
  'kept'?: (number);
  /**
   * Seed shared by encoder and decoder: random-k draws its kept indices from it, the random
   * rotation its signs. Carried as a string of decimal digits so every seed survives JSON tools.
   */
  'seed'?: (string);
  /**
   * Whether the values were rotated (randomised Hadamard transform, Konečný et al. 2016) before
   * quantisation; the decoder rotates back and drops the padding to a power of two.
   */
  'rotated'?: (boolean);
}

/**
 * One tensor encoded by a codec; the receiver decodes it back to float32 values of `shape`.
 */
export interface CompressedTensor__Output {
  /**
   * Name of the codec in the compression registry ("float16", "qsgd", "top_k", "random_k", ...).
   */
  'codec': (string);
  /**
   * Shape of the decoded tensor; the decoded tensor holds exactly product(shape) values.
   */
  'shape': (number)[];
  /**
   * Codes: float16 values, packed signed levels (8 or 4 bits each) or float32 kept values.
   */
  'codes': (Buffer);
  /**
   * One scale per bucket of `bucket_size` values (the bucket's largest magnitude), for quantisers.
   */
  'scales': (number)[];
  /**
   * Values per bucket; 0: one bucket for the whole (possibly rotated) tensor.
   */
  'bucketSize': (number);
  /**
   * Bits per level code (8 or 4), for quantisers.
   */
  'bits': (number);
  /**
   * Gaps between successive kept indices, ascending (the first gap is the first index), for top-k.
   */
  'indexGaps': (number)[];
  /**
   * Number of kept values, for sparsifiers.
   */
  'kept': (number);
  /**
   * Seed shared by encoder and decoder: random-k draws its kept indices from it, the random
   * rotation its signs. Carried as a string of decimal digits so every seed survives JSON tools.
   */
  'seed': (string);
  /**
   * Whether the values were rotated (randomised Hadamard transform, Konečný et al. 2016) before
   * quantisation; the decoder rotates back and drops the padding to a power of two.
   */
  'rotated': (boolean);
}
