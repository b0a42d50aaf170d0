// Original file: proto/fedbiomed/v1/secagg.proto

import type { SecAggEncryptedShare as _fedbiomed_v1_SecAggEncryptedShare, SecAggEncryptedShare__Output as _fedbiomed_v1_SecAggEncryptedShare__Output } from '../../fedbiomed/v1/SecAggEncryptedShare';

/**
 * Step 2 rides on TrainRequest.secure_aggregation: the shares addressed to the node. The node
 * trains, then replies with one INT32 tensor "secagg.masked_update" (words modulo 2^32) in
 * TrainReply.weights, is_delta set.
 */
export interface SecAggMasking {
  'sessionId'?: (string);
  'shares'?: (_fedbiomed_v1_SecAggEncryptedShare)[];
}

/**
 * Step 2 rides on TrainRequest.secure_aggregation: the shares addressed to the node. The node
 * trains, then replies with one INT32 tensor "secagg.masked_update" (words modulo 2^32) in
 * TrainReply.weights, is_delta set.
 */
export interface SecAggMasking__Output {
  'sessionId': (string);
  'shares': (_fedbiomed_v1_SecAggEncryptedShare__Output)[];
}
