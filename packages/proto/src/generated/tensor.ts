import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Tensor as _fedbiomed_v1_Tensor, Tensor__Output as _fedbiomed_v1_Tensor__Output } from './fedbiomed/v1/Tensor';
import type { TensorChunk as _fedbiomed_v1_TensorChunk, TensorChunk__Output as _fedbiomed_v1_TensorChunk__Output } from './fedbiomed/v1/TensorChunk';
import type { TensorHeader as _fedbiomed_v1_TensorHeader, TensorHeader__Output as _fedbiomed_v1_TensorHeader__Output } from './fedbiomed/v1/TensorHeader';
import type { TensorSet as _fedbiomed_v1_TensorSet, TensorSet__Output as _fedbiomed_v1_TensorSet__Output } from './fedbiomed/v1/TensorSet';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  fedbiomed: {
    v1: {
      DType: EnumTypeDefinition
      Tensor: MessageTypeDefinition<_fedbiomed_v1_Tensor, _fedbiomed_v1_Tensor__Output>
      TensorChunk: MessageTypeDefinition<_fedbiomed_v1_TensorChunk, _fedbiomed_v1_TensorChunk__Output>
      TensorHeader: MessageTypeDefinition<_fedbiomed_v1_TensorHeader, _fedbiomed_v1_TensorHeader__Output>
      TensorSet: MessageTypeDefinition<_fedbiomed_v1_TensorSet, _fedbiomed_v1_TensorSet__Output>
    }
  }
}

