// Original file: proto/fedbiomed/v1/secagg.proto

import type { SecAggPublicKeys as _fedbiomed_v1_SecAggPublicKeys, SecAggPublicKeys__Output as _fedbiomed_v1_SecAggPublicKeys__Output } from '../../fedbiomed/v1/SecAggPublicKeys';

/**
 * Step 1: researcher -> node, every advertised key.
 */
export interface SecAggShareKeysRequest {
  'sessionId'?: (string);
  'keys'?: (_fedbiomed_v1_SecAggPublicKeys)[];
  /**
   * The addressed node's neighbours in the round's graph: a Harary graph H(neighbours, n) over a
   * permutation drawn from SHA-256 of the public transcript (session id, participants, keys).
   * The node derives the graph itself and refuses a list that differs.
   */
  'neighbours'?: (string)[];
}

/**
 * Step 1: researcher -> node, every advertised key.
 */
export interface SecAggShareKeysRequest__Output {
  'sessionId': (string);
  'keys': (_fedbiomed_v1_SecAggPublicKeys__Output)[];
  /**
   * The addressed node's neighbours in the round's graph: a Harary graph H(neighbours, n) over a
   * permutation drawn from SHA-256 of the public transcript (session id, participants, keys).
   * The node derives the graph itself and refuses a list that differs.
   */
  'neighbours': (string)[];
}
