// Original file: proto/fedbiomed/v1/secagg.proto

import type { SecAggPublicKeys as _fedbiomed_v1_SecAggPublicKeys, SecAggPublicKeys__Output as _fedbiomed_v1_SecAggPublicKeys__Output } from '../../fedbiomed/v1/SecAggPublicKeys';

export interface SecAggSetupReply {
  'keys'?: (_fedbiomed_v1_SecAggPublicKeys | null);
}

export interface SecAggSetupReply__Output {
  'keys': (_fedbiomed_v1_SecAggPublicKeys__Output | null);
}
