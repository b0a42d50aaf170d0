// Original file: proto/fedbiomed/v1/secagg.proto

import type { SecAggPublicKeys as _fedbiomed_v1_SecAggPublicKeys, SecAggPublicKeys__Output as _fedbiomed_v1_SecAggPublicKeys__Output } from '../../fedbiomed/v1/SecAggPublicKeys';

/**
 * Step 1: researcher -> node, every advertised key.
 */
export interface SecAggShareKeysRequest {
  'sessionId'?: (string);
  'keys'?: (_fedbiomed_v1_SecAggPublicKeys)[];
}

/**
 * Step 1: researcher -> node, every advertised key.
 */
export interface SecAggShareKeysRequest__Output {
  'sessionId': (string);
  'keys': (_fedbiomed_v1_SecAggPublicKeys__Output)[];
}
