import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { PrivacySpent as _fedbiomed_v1_PrivacySpent, PrivacySpent__Output as _fedbiomed_v1_PrivacySpent__Output } from './fedbiomed/v1/PrivacySpent';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  fedbiomed: {
    v1: {
      PrivacySpent: MessageTypeDefinition<_fedbiomed_v1_PrivacySpent, _fedbiomed_v1_PrivacySpent__Output>
    }
  }
}

