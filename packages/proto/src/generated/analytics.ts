import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AnalyticsPrivacy as _fedbiomed_v1_AnalyticsPrivacy, AnalyticsPrivacy__Output as _fedbiomed_v1_AnalyticsPrivacy__Output } from './fedbiomed/v1/AnalyticsPrivacy';
import type { AnalyticsReply as _fedbiomed_v1_AnalyticsReply, AnalyticsReply__Output as _fedbiomed_v1_AnalyticsReply__Output } from './fedbiomed/v1/AnalyticsReply';
import type { AnalyticsRequest as _fedbiomed_v1_AnalyticsRequest, AnalyticsRequest__Output as _fedbiomed_v1_AnalyticsRequest__Output } from './fedbiomed/v1/AnalyticsRequest';
import type { BinCounts as _fedbiomed_v1_BinCounts, BinCounts__Output as _fedbiomed_v1_BinCounts__Output } from './fedbiomed/v1/BinCounts';
import type { CoMoments as _fedbiomed_v1_CoMoments, CoMoments__Output as _fedbiomed_v1_CoMoments__Output } from './fedbiomed/v1/CoMoments';
import type { DpArgs as _fedbiomed_v1_DpArgs, DpArgs__Output as _fedbiomed_v1_DpArgs__Output } from './fedbiomed/v1/DpArgs';
import type { FeatureValues as _fedbiomed_v1_FeatureValues, FeatureValues__Output as _fedbiomed_v1_FeatureValues__Output } from './fedbiomed/v1/FeatureValues';
import type { MissingCounts as _fedbiomed_v1_MissingCounts, MissingCounts__Output as _fedbiomed_v1_MissingCounts__Output } from './fedbiomed/v1/MissingCounts';
import type { Moments as _fedbiomed_v1_Moments, Moments__Output as _fedbiomed_v1_Moments__Output } from './fedbiomed/v1/Moments';
import type { OptimizerArgs as _fedbiomed_v1_OptimizerArgs, OptimizerArgs__Output as _fedbiomed_v1_OptimizerArgs__Output } from './fedbiomed/v1/OptimizerArgs';
import type { StatisticResult as _fedbiomed_v1_StatisticResult, StatisticResult__Output as _fedbiomed_v1_StatisticResult__Output } from './fedbiomed/v1/StatisticResult';
import type { TrainingArgs as _fedbiomed_v1_TrainingArgs, TrainingArgs__Output as _fedbiomed_v1_TrainingArgs__Output } from './fedbiomed/v1/TrainingArgs';
import type { TrainingPlan as _fedbiomed_v1_TrainingPlan, TrainingPlan__Output as _fedbiomed_v1_TrainingPlan__Output } from './fedbiomed/v1/TrainingPlan';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  fedbiomed: {
    v1: {
      AnalyticsPrivacy: MessageTypeDefinition<_fedbiomed_v1_AnalyticsPrivacy, _fedbiomed_v1_AnalyticsPrivacy__Output>
      AnalyticsReply: MessageTypeDefinition<_fedbiomed_v1_AnalyticsReply, _fedbiomed_v1_AnalyticsReply__Output>
      AnalyticsRequest: MessageTypeDefinition<_fedbiomed_v1_AnalyticsRequest, _fedbiomed_v1_AnalyticsRequest__Output>
      BinCounts: MessageTypeDefinition<_fedbiomed_v1_BinCounts, _fedbiomed_v1_BinCounts__Output>
      CoMoments: MessageTypeDefinition<_fedbiomed_v1_CoMoments, _fedbiomed_v1_CoMoments__Output>
      DpArgs: MessageTypeDefinition<_fedbiomed_v1_DpArgs, _fedbiomed_v1_DpArgs__Output>
      FeatureValues: MessageTypeDefinition<_fedbiomed_v1_FeatureValues, _fedbiomed_v1_FeatureValues__Output>
      MissingCounts: MessageTypeDefinition<_fedbiomed_v1_MissingCounts, _fedbiomed_v1_MissingCounts__Output>
      Moments: MessageTypeDefinition<_fedbiomed_v1_Moments, _fedbiomed_v1_Moments__Output>
      OptimizerArgs: MessageTypeDefinition<_fedbiomed_v1_OptimizerArgs, _fedbiomed_v1_OptimizerArgs__Output>
      StatisticResult: MessageTypeDefinition<_fedbiomed_v1_StatisticResult, _fedbiomed_v1_StatisticResult__Output>
      TrainingArgs: MessageTypeDefinition<_fedbiomed_v1_TrainingArgs, _fedbiomed_v1_TrainingArgs__Output>
      TrainingPlan: MessageTypeDefinition<_fedbiomed_v1_TrainingPlan, _fedbiomed_v1_TrainingPlan__Output>
    }
  }
}

