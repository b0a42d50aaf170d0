// Original file: proto/fedbiomed/v1/messages.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Sufficient statistics of a node's train split, per flattened feature position (float64).
 */
export interface FeatureStatisticsReply {
  'datasetId'?: (string);
  /**
   * Number of train rows.
   */
  'count'?: (number | string | Long);
  'mean'?: (number | string)[];
  /**
   * Sum of squared deviations from `mean` (Welford / Chan et al. M2).
   */
  'm2'?: (number | string)[];
}

/**
 * Sufficient statistics of a node's train split, per flattened feature position (float64).
 */
export interface FeatureStatisticsReply__Output {
  'datasetId': (string);
  /**
   * Number of train rows.
   */
  'count': (number);
  'mean': (number)[];
  /**
   * Sum of squared deviations from `mean` (Welford / Chan et al. M2).
   */
  'm2': (number)[];
}
