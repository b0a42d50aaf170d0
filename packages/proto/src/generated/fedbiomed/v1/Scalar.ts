// Original file: proto/fedbiomed/v1/messages.proto

import type { Long } from '@grpc/proto-loader';

export interface Scalar {
  'requestId'?: (string);
  'experimentId'?: (string);
  'round'?: (number);
  /**
   * e.g. "loss", "accuracy".
   */
  'name'?: (string);
  'value'?: (number | string);
  /**
   * Local step (batch counter) the value belongs to.
   */
  'step'?: (number | string | Long);
  /**
   * "train", "test_global" (before local training) or "test_local" (after).
   */
  'phase'?: (string);
  'timestampMs'?: (number | string | Long);
}

export interface Scalar__Output {
  'requestId': (string);
  'experimentId': (string);
  'round': (number);
  /**
   * e.g. "loss", "accuracy".
   */
  'name': (string);
  'value': (number);
  /**
   * Local step (batch counter) the value belongs to.
   */
  'step': (number);
  /**
   * "train", "test_global" (before local training) or "test_local" (after).
   */
  'phase': (string);
  'timestampMs': (number);
}
