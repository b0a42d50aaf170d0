// Original file: proto/fedbiomed/v1/bulk.proto

import type { Long } from '@grpc/proto-loader';

/**
 * The researcher's bulk port (same host as its gRPC address).
 */
export interface BulkChannelOffer {
  'port'?: (number);
  /**
   * Tensor sets of at least this many bytes go through the channel; smaller ones stay on the session.
   */
  'minBytes'?: (number | string | Long);
}

/**
 * The researcher's bulk port (same host as its gRPC address).
 */
export interface BulkChannelOffer__Output {
  'port': (number);
  /**
   * Tensor sets of at least this many bytes go through the channel; smaller ones stay on the session.
   */
  'minBytes': (number);
}
