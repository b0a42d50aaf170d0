// Original file: proto/fedbiomed/v1/messages.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Metric values computed on a node's test split.
 */
export interface MetricSet {
  'values'?: ({[key: string]: number | string});
  'sampleCount'?: (number | string | Long);
}

/**
 * Metric values computed on a node's test split.
 */
export interface MetricSet__Output {
  'values': ({[key: string]: number});
  'sampleCount': (number);
}
