// Original file: proto/fedbiomed/v1/researcher_service.proto

import type { HelloAck as _fedbiomed_v1_HelloAck, HelloAck__Output as _fedbiomed_v1_HelloAck__Output } from '../../fedbiomed/v1/HelloAck';
import type { Request as _fedbiomed_v1_Request, Request__Output as _fedbiomed_v1_Request__Output } from '../../fedbiomed/v1/Request';
import type { TensorChunk as _fedbiomed_v1_TensorChunk, TensorChunk__Output as _fedbiomed_v1_TensorChunk__Output } from '../../fedbiomed/v1/TensorChunk';
import type { Heartbeat as _fedbiomed_v1_Heartbeat, Heartbeat__Output as _fedbiomed_v1_Heartbeat__Output } from '../../fedbiomed/v1/Heartbeat';
import type { Cancel as _fedbiomed_v1_Cancel, Cancel__Output as _fedbiomed_v1_Cancel__Output } from '../../fedbiomed/v1/Cancel';
import type { Error as _fedbiomed_v1_Error, Error__Output as _fedbiomed_v1_Error__Output } from '../../fedbiomed/v1/Error';
import type { BulkChannelOffer as _fedbiomed_v1_BulkChannelOffer, BulkChannelOffer__Output as _fedbiomed_v1_BulkChannelOffer__Output } from '../../fedbiomed/v1/BulkChannelOffer';
import type { BulkTransfer as _fedbiomed_v1_BulkTransfer, BulkTransfer__Output as _fedbiomed_v1_BulkTransfer__Output } from '../../fedbiomed/v1/BulkTransfer';

/**
 * Frames a researcher sends. The first frame of an accepted session is `hello_ack`; a refused
 * session gets one `error` frame (code and reason) and is then closed.
 */
export interface ResearcherFrame {
  'helloAck'?: (_fedbiomed_v1_HelloAck | null);
  'request'?: (_fedbiomed_v1_Request | null);
  'chunk'?: (_fedbiomed_v1_TensorChunk | null);
  'heartbeat'?: (_fedbiomed_v1_Heartbeat | null);
  'cancel'?: (_fedbiomed_v1_Cancel | null);
  'error'?: (_fedbiomed_v1_Error | null);
  /**
   * Bulk channel (bulk.proto): the offer follows hello_ack; a transfer replaces a set's chunks.
   */
  'bulkOffer'?: (_fedbiomed_v1_BulkChannelOffer | null);
  'bulk'?: (_fedbiomed_v1_BulkTransfer | null);
  'kind'?: "helloAck"|"request"|"chunk"|"heartbeat"|"cancel"|"error"|"bulkOffer"|"bulk";
}

/**
 * Frames a researcher sends. The first frame of an accepted session is `hello_ack`; a refused
 * session gets one `error` frame (code and reason) and is then closed.
 */
export interface ResearcherFrame__Output {
  'helloAck'?: (_fedbiomed_v1_HelloAck__Output | null);
  'request'?: (_fedbiomed_v1_Request__Output | null);
  'chunk'?: (_fedbiomed_v1_TensorChunk__Output | null);
  'heartbeat'?: (_fedbiomed_v1_Heartbeat__Output | null);
  'cancel'?: (_fedbiomed_v1_Cancel__Output | null);
  'error'?: (_fedbiomed_v1_Error__Output | null);
  /**
   * Bulk channel (bulk.proto): the offer follows hello_ack; a transfer replaces a set's chunks.
   */
  'bulkOffer'?: (_fedbiomed_v1_BulkChannelOffer__Output | null);
  'bulk'?: (_fedbiomed_v1_BulkTransfer__Output | null);
  'kind'?: "helloAck"|"request"|"chunk"|"heartbeat"|"cancel"|"error"|"bulkOffer"|"bulk";
}
