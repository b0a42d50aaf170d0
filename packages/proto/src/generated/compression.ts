import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { CompressedTensor as _fedbiomed_v1_CompressedTensor, CompressedTensor__Output as _fedbiomed_v1_CompressedTensor__Output } from './fedbiomed/v1/CompressedTensor';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  fedbiomed: {
    v1: {
      CompressedTensor: MessageTypeDefinition<_fedbiomed_v1_CompressedTensor, _fedbiomed_v1_CompressedTensor__Output>
    }
  }
}

