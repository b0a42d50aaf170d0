// Original file: proto/fedbiomed/v1/messages.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A dataset's own train/test split, in counts.
 */
export interface FixedSplit {
  /**
   * Where the split comes from, e.g. column "split" or file split.csv.
   */
  'source'?: (string);
  'trainCount'?: (number | string | Long);
  'testCount'?: (number | string | Long);
}

/**
 * A dataset's own train/test split, in counts.
 */
export interface FixedSplit__Output {
  /**
   * Where the split comes from, e.g. column "split" or file split.csv.
   */
  'source': (string);
  'trainCount': (number);
  'testCount': (number);
}
