// Original file: proto/fedbiomed/v1/tensor.proto

import type { DType as _fedbiomed_v1_DType, DType__Output as _fedbiomed_v1_DType__Output } from '../../fedbiomed/v1/DType';
import type { Long } from '@grpc/proto-loader';

/**
 * Describes one tensor of a transfer; its bytes follow as chunks.
 */
export interface TensorHeader {
  'name'?: (string);
  'dtype'?: (_fedbiomed_v1_DType);
  'shape'?: (number | string | Long)[];
  /**
   * Must equal product(shape) * size of dtype.
   */
  'byteLength'?: (number | string | Long);
  /**
   * SHA-256 of the tensor's raw bytes. A sender sets sha256, crc32c, chunk_crc32c or a combination;
   * the receiver checks whichever is present as the chunks arrive, and refuses a header with none.
   */
  'sha256'?: (Buffer | Uint8Array | string);
  /**
   * CRC-32C (Castagnoli) of the tensor's raw bytes: an integrity check against corruption and
   * truncation, many times cheaper than SHA-256, for links whose authenticity TLS already covers.
   */
  'crc32c'?: (number);
  /**
   * Every TensorChunk of this tensor carries the CRC-32C of its own bytes (TensorChunk.crc32c): the
   * whole tensor is covered, chunk by chunk, together with byte_length and the chunks' offsets, and
   * the sender needs no pass over the tensor before its first chunk leaves.
   */
  'chunkCrc32c'?: (boolean);
  '_crc32c'?: "crc32c";
}

/**
 * Describes one tensor of a transfer; its bytes follow as chunks.
 */
export interface TensorHeader__Output {
  'name': (string);
  'dtype': (_fedbiomed_v1_DType__Output);
  'shape': (number)[];
  /**
   * Must equal product(shape) * size of dtype.
   */
  'byteLength': (number);
  /**
   * SHA-256 of the tensor's raw bytes. A sender sets sha256, crc32c, chunk_crc32c or a combination;
   * the receiver checks whichever is present as the chunks arrive, and refuses a header with none.
   */
  'sha256': (Buffer);
  /**
   * CRC-32C (Castagnoli) of the tensor's raw bytes: an integrity check against corruption and
   * truncation, many times cheaper than SHA-256, for links whose authenticity TLS already covers.
   */
  'crc32c'?: (number);
  /**
   * Every TensorChunk of this tensor carries the CRC-32C of its own bytes (TensorChunk.crc32c): the
   * whole tensor is covered, chunk by chunk, together with byte_length and the chunks' offsets, and
   * the sender needs no pass over the tensor before its first chunk leaves.
   */
  'chunkCrc32c': (boolean);
  '_crc32c'?: "crc32c";
}
