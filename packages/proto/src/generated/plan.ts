import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { DpArgs as _fedbiomed_v1_DpArgs, DpArgs__Output as _fedbiomed_v1_DpArgs__Output } from './fedbiomed/v1/DpArgs';
import type { OptimizerArgs as _fedbiomed_v1_OptimizerArgs, OptimizerArgs__Output as _fedbiomed_v1_OptimizerArgs__Output } from './fedbiomed/v1/OptimizerArgs';
import type { TrainingArgs as _fedbiomed_v1_TrainingArgs, TrainingArgs__Output as _fedbiomed_v1_TrainingArgs__Output } from './fedbiomed/v1/TrainingArgs';
import type { TrainingPlan as _fedbiomed_v1_TrainingPlan, TrainingPlan__Output as _fedbiomed_v1_TrainingPlan__Output } from './fedbiomed/v1/TrainingPlan';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  fedbiomed: {
    v1: {
      DpArgs: MessageTypeDefinition<_fedbiomed_v1_DpArgs, _fedbiomed_v1_DpArgs__Output>
      OptimizerArgs: MessageTypeDefinition<_fedbiomed_v1_OptimizerArgs, _fedbiomed_v1_OptimizerArgs__Output>
      TrainingArgs: MessageTypeDefinition<_fedbiomed_v1_TrainingArgs, _fedbiomed_v1_TrainingArgs__Output>
      TrainingPlan: MessageTypeDefinition<_fedbiomed_v1_TrainingPlan, _fedbiomed_v1_TrainingPlan__Output>
    }
  }
}

