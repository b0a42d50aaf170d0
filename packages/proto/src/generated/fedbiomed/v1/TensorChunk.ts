// Original file: proto/fedbiomed/v1/tensor.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One slice of one tensor's bytes.
 */
export interface TensorChunk {
  'transferId'?: (string);
  'tensorIndex'?: (number);
  /**
   * Byte offset of `data` within the tensor; chunks of a tensor arrive in order.
   */
  'offset'?: (number | string | Long);
  'data'?: (Buffer | Uint8Array | string);
  /**
   * CRC-32C of `data`; required when the tensor's header sets chunk_crc32c.
   */
  'crc32c'?: (number);
  '_crc32c'?: "crc32c";
}

/**
 * One slice of one tensor's bytes.
 */
export interface TensorChunk__Output {
  'transferId': (string);
  'tensorIndex': (number);
  /**
   * Byte offset of `data` within the tensor; chunks of a tensor arrive in order.
   */
  'offset': (number);
  'data': (Buffer);
  /**
   * CRC-32C of `data`; required when the tensor's header sets chunk_crc32c.
   */
  'crc32c'?: (number);
  '_crc32c'?: "crc32c";
}
