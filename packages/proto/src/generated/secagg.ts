import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { SecAggEncryptedShare as _fedbiomed_v1_SecAggEncryptedShare, SecAggEncryptedShare__Output as _fedbiomed_v1_SecAggEncryptedShare__Output } from './fedbiomed/v1/SecAggEncryptedShare';
import type { SecAggMasking as _fedbiomed_v1_SecAggMasking, SecAggMasking__Output as _fedbiomed_v1_SecAggMasking__Output } from './fedbiomed/v1/SecAggMasking';
import type { SecAggParameters as _fedbiomed_v1_SecAggParameters, SecAggParameters__Output as _fedbiomed_v1_SecAggParameters__Output } from './fedbiomed/v1/SecAggParameters';
import type { SecAggPublicKeys as _fedbiomed_v1_SecAggPublicKeys, SecAggPublicKeys__Output as _fedbiomed_v1_SecAggPublicKeys__Output } from './fedbiomed/v1/SecAggPublicKeys';
import type { SecAggRevealedShare as _fedbiomed_v1_SecAggRevealedShare, SecAggRevealedShare__Output as _fedbiomed_v1_SecAggRevealedShare__Output } from './fedbiomed/v1/SecAggRevealedShare';
import type { SecAggSetupReply as _fedbiomed_v1_SecAggSetupReply, SecAggSetupReply__Output as _fedbiomed_v1_SecAggSetupReply__Output } from './fedbiomed/v1/SecAggSetupReply';
import type { SecAggSetupRequest as _fedbiomed_v1_SecAggSetupRequest, SecAggSetupRequest__Output as _fedbiomed_v1_SecAggSetupRequest__Output } from './fedbiomed/v1/SecAggSetupRequest';
import type { SecAggShareKeysReply as _fedbiomed_v1_SecAggShareKeysReply, SecAggShareKeysReply__Output as _fedbiomed_v1_SecAggShareKeysReply__Output } from './fedbiomed/v1/SecAggShareKeysReply';
import type { SecAggShareKeysRequest as _fedbiomed_v1_SecAggShareKeysRequest, SecAggShareKeysRequest__Output as _fedbiomed_v1_SecAggShareKeysRequest__Output } from './fedbiomed/v1/SecAggShareKeysRequest';
import type { SecAggUnmaskReply as _fedbiomed_v1_SecAggUnmaskReply, SecAggUnmaskReply__Output as _fedbiomed_v1_SecAggUnmaskReply__Output } from './fedbiomed/v1/SecAggUnmaskReply';
import type { SecAggUnmaskRequest as _fedbiomed_v1_SecAggUnmaskRequest, SecAggUnmaskRequest__Output as _fedbiomed_v1_SecAggUnmaskRequest__Output } from './fedbiomed/v1/SecAggUnmaskRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  fedbiomed: {
    v1: {
      SecAggEncryptedShare: MessageTypeDefinition<_fedbiomed_v1_SecAggEncryptedShare, _fedbiomed_v1_SecAggEncryptedShare__Output>
      SecAggMasking: MessageTypeDefinition<_fedbiomed_v1_SecAggMasking, _fedbiomed_v1_SecAggMasking__Output>
      SecAggParameters: MessageTypeDefinition<_fedbiomed_v1_SecAggParameters, _fedbiomed_v1_SecAggParameters__Output>
      SecAggPublicKeys: MessageTypeDefinition<_fedbiomed_v1_SecAggPublicKeys, _fedbiomed_v1_SecAggPublicKeys__Output>
      SecAggRevealedShare: MessageTypeDefinition<_fedbiomed_v1_SecAggRevealedShare, _fedbiomed_v1_SecAggRevealedShare__Output>
      SecAggSetupReply: MessageTypeDefinition<_fedbiomed_v1_SecAggSetupReply, _fedbiomed_v1_SecAggSetupReply__Output>
      SecAggSetupRequest: MessageTypeDefinition<_fedbiomed_v1_SecAggSetupRequest, _fedbiomed_v1_SecAggSetupRequest__Output>
      SecAggShareKeysReply: MessageTypeDefinition<_fedbiomed_v1_SecAggShareKeysReply, _fedbiomed_v1_SecAggShareKeysReply__Output>
      SecAggShareKeysRequest: MessageTypeDefinition<_fedbiomed_v1_SecAggShareKeysRequest, _fedbiomed_v1_SecAggShareKeysRequest__Output>
      SecAggUnmaskReply: MessageTypeDefinition<_fedbiomed_v1_SecAggUnmaskReply, _fedbiomed_v1_SecAggUnmaskReply__Output>
      SecAggUnmaskRequest: MessageTypeDefinition<_fedbiomed_v1_SecAggUnmaskRequest, _fedbiomed_v1_SecAggUnmaskRequest__Output>
    }
  }
}

