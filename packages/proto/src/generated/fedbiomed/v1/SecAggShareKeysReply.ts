// Original file: proto/fedbiomed/v1/secagg.proto

import type { SecAggEncryptedShare as _fedbiomed_v1_SecAggEncryptedShare, SecAggEncryptedShare__Output as _fedbiomed_v1_SecAggEncryptedShare__Output } from '../../fedbiomed/v1/SecAggEncryptedShare';

export interface SecAggShareKeysReply {
  'shares'?: (_fedbiomed_v1_SecAggEncryptedShare)[];
}

export interface SecAggShareKeysReply__Output {
  'shares': (_fedbiomed_v1_SecAggEncryptedShare__Output)[];
}
