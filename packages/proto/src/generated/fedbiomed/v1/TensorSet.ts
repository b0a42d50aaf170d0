// Original file: proto/fedbiomed/v1/tensor.proto

import type { TensorHeader as _fedbiomed_v1_TensorHeader, TensorHeader__Output as _fedbiomed_v1_TensorHeader__Output } from '../../fedbiomed/v1/TensorHeader';

/**
 * A set of named tensors (model weights, a delta, a control variate) announced by its headers.
 * The bytes of every tensor follow as TensorChunk frames carrying the same transfer_id, tensor
 * after tensor, in order.
 */
export interface TensorSet {
  'transferId'?: (string);
  'tensors'?: (_fedbiomed_v1_TensorHeader)[];
}

/**
 * A set of named tensors (model weights, a delta, a control variate) announced by its headers.
 * The bytes of every tensor follow as TensorChunk frames carrying the same transfer_id, tensor
 * after tensor, in order.
 */
export interface TensorSet__Output {
  'transferId': (string);
  'tensors': (_fedbiomed_v1_TensorHeader__Output)[];
}
