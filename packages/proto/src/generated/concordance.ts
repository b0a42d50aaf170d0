import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ConcordanceBinning as _fedbiomed_v1_ConcordanceBinning, ConcordanceBinning__Output as _fedbiomed_v1_ConcordanceBinning__Output } from './fedbiomed/v1/ConcordanceBinning';
import type { ConcordanceHistogram as _fedbiomed_v1_ConcordanceHistogram, ConcordanceHistogram__Output as _fedbiomed_v1_ConcordanceHistogram__Output } from './fedbiomed/v1/ConcordanceHistogram';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  fedbiomed: {
    v1: {
      ConcordanceBinning: MessageTypeDefinition<_fedbiomed_v1_ConcordanceBinning, _fedbiomed_v1_ConcordanceBinning__Output>
      ConcordanceHistogram: MessageTypeDefinition<_fedbiomed_v1_ConcordanceHistogram, _fedbiomed_v1_ConcordanceHistogram__Output>
    }
  }
}

