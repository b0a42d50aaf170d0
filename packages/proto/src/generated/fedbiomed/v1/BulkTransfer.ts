// Original file: proto/fedbiomed/v1/bulk.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Sent on the session instead of the TensorChunk frames of one tensor set. The bytes (the set's
 * tensors' raw bytes, one after the other, in header order) are fetched (researcher to node: GET)
 * or uploaded (node to researcher: POST) on the bulk port under `token`. A token is random
 * (256 bits), single use, expires, and is bound to the session's node id.
 */
export interface BulkTransfer {
  'transferId'?: (string);
  'token'?: (string);
  'byteLength'?: (number | string | Long);
  /**
   * SHA-256 of the whole body; the receiver decodes nothing unless length and digest match.
   */
  'sha256'?: (Buffer | Uint8Array | string);
}

/**
 * Sent on the session instead of the TensorChunk frames of one tensor set. The bytes (the set's
 * tensors' raw bytes, one after the other, in header order) are fetched (researcher to node: GET)
 * or uploaded (node to researcher: POST) on the bulk port under `token`. A token is random
 * (256 bits), single use, expires, and is bound to the session's node id.
 */
export interface BulkTransfer__Output {
  'transferId': (string);
  'token': (string);
  'byteLength': (number);
  /**
   * SHA-256 of the whole body; the receiver decodes nothing unless length and digest match.
   */
  'sha256': (Buffer);
}
