import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { BulkChannelOffer as _fedbiomed_v1_BulkChannelOffer, BulkChannelOffer__Output as _fedbiomed_v1_BulkChannelOffer__Output } from './fedbiomed/v1/BulkChannelOffer';
import type { BulkTransfer as _fedbiomed_v1_BulkTransfer, BulkTransfer__Output as _fedbiomed_v1_BulkTransfer__Output } from './fedbiomed/v1/BulkTransfer';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  fedbiomed: {
    v1: {
      BulkChannelOffer: MessageTypeDefinition<_fedbiomed_v1_BulkChannelOffer, _fedbiomed_v1_BulkChannelOffer__Output>
      BulkTransfer: MessageTypeDefinition<_fedbiomed_v1_BulkTransfer, _fedbiomed_v1_BulkTransfer__Output>
    }
  }
}

