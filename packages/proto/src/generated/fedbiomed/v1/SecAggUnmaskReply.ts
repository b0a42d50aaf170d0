// Original file: proto/fedbiomed/v1/secagg.proto

import type { SecAggRevealedShare as _fedbiomed_v1_SecAggRevealedShare, SecAggRevealedShare__Output as _fedbiomed_v1_SecAggRevealedShare__Output } from '../../fedbiomed/v1/SecAggRevealedShare';

export interface SecAggUnmaskReply {
  /**
   * Shares of the survivors' self-mask seeds.
   */
  'selfMaskShares'?: (_fedbiomed_v1_SecAggRevealedShare)[];
  /**
   * Shares of the dropped nodes' mask private keys.
   */
  'keyShares'?: (_fedbiomed_v1_SecAggRevealedShare)[];
}

export interface SecAggUnmaskReply__Output {
  /**
   * Shares of the survivors' self-mask seeds.
   */
  'selfMaskShares': (_fedbiomed_v1_SecAggRevealedShare__Output)[];
  /**
   * Shares of the dropped nodes' mask private keys.
   */
  'keyShares': (_fedbiomed_v1_SecAggRevealedShare__Output)[];
}
