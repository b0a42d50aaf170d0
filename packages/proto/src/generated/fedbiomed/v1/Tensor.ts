// Original file: proto/fedbiomed/v1/tensor.proto

import type { TensorHeader as _fedbiomed_v1_TensorHeader, TensorHeader__Output as _fedbiomed_v1_TensorHeader__Output } from '../../fedbiomed/v1/TensorHeader';

/**
 * A whole tensor in one message; for fixtures, tests and small tensors outside a session.
 */
export interface Tensor {
  'header'?: (_fedbiomed_v1_TensorHeader | null);
  'data'?: (Buffer | Uint8Array | string);
}

/**
 * A whole tensor in one message; for fixtures, tests and small tensors outside a session.
 */
export interface Tensor__Output {
  'header': (_fedbiomed_v1_TensorHeader__Output | null);
  'data': (Buffer);
}
