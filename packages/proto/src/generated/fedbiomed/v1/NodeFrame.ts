// Original file: proto/fedbiomed/v1/researcher_service.proto

import type { Hello as _fedbiomed_v1_Hello, Hello__Output as _fedbiomed_v1_Hello__Output } from '../../fedbiomed/v1/Hello';
import type { Reply as _fedbiomed_v1_Reply, Reply__Output as _fedbiomed_v1_Reply__Output } from '../../fedbiomed/v1/Reply';
import type { TensorChunk as _fedbiomed_v1_TensorChunk, TensorChunk__Output as _fedbiomed_v1_TensorChunk__Output } from '../../fedbiomed/v1/TensorChunk';
import type { Scalar as _fedbiomed_v1_Scalar, Scalar__Output as _fedbiomed_v1_Scalar__Output } from '../../fedbiomed/v1/Scalar';
import type { Log as _fedbiomed_v1_Log, Log__Output as _fedbiomed_v1_Log__Output } from '../../fedbiomed/v1/Log';
import type { Heartbeat as _fedbiomed_v1_Heartbeat, Heartbeat__Output as _fedbiomed_v1_Heartbeat__Output } from '../../fedbiomed/v1/Heartbeat';
import type { BulkTransfer as _fedbiomed_v1_BulkTransfer, BulkTransfer__Output as _fedbiomed_v1_BulkTransfer__Output } from '../../fedbiomed/v1/BulkTransfer';

/**
 * Frames a node sends. The first frame of a session must be `hello`.
 */
export interface NodeFrame {
  'hello'?: (_fedbiomed_v1_Hello | null);
  'reply'?: (_fedbiomed_v1_Reply | null);
  'chunk'?: (_fedbiomed_v1_TensorChunk | null);
  'scalar'?: (_fedbiomed_v1_Scalar | null);
  'log'?: (_fedbiomed_v1_Log | null);
  'heartbeat'?: (_fedbiomed_v1_Heartbeat | null);
  /**
   * Bulk channel (bulk.proto): a tensor set uploaded on the bulk port instead of chunks.
   */
  'bulk'?: (_fedbiomed_v1_BulkTransfer | null);
  'kind'?: "hello"|"reply"|"chunk"|"scalar"|"log"|"heartbeat"|"bulk";
}

/**
 * Frames a node sends. The first frame of a session must be `hello`.
 */
export interface NodeFrame__Output {
  'hello'?: (_fedbiomed_v1_Hello__Output | null);
  'reply'?: (_fedbiomed_v1_Reply__Output | null);
  'chunk'?: (_fedbiomed_v1_TensorChunk__Output | null);
  'scalar'?: (_fedbiomed_v1_Scalar__Output | null);
  'log'?: (_fedbiomed_v1_Log__Output | null);
  'heartbeat'?: (_fedbiomed_v1_Heartbeat__Output | null);
  /**
   * Bulk channel (bulk.proto): a tensor set uploaded on the bulk port instead of chunks.
   */
  'bulk'?: (_fedbiomed_v1_BulkTransfer__Output | null);
  'kind'?: "hello"|"reply"|"chunk"|"scalar"|"log"|"heartbeat"|"bulk";
}
