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
   * SHA-256 of the tensor's raw bytes, checked by the receiver after the last chunk.
   */
  'sha256'?: (Buffer | Uint8Array | string);
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
   * SHA-256 of the tensor's raw bytes, checked by the receiver after the last chunk.
   */
  'sha256': (Buffer);
}
