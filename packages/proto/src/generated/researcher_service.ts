import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AnalyticsPrivacy as _fedbiomed_v1_AnalyticsPrivacy, AnalyticsPrivacy__Output as _fedbiomed_v1_AnalyticsPrivacy__Output } from './fedbiomed/v1/AnalyticsPrivacy';
import type { AnalyticsReply as _fedbiomed_v1_AnalyticsReply, AnalyticsReply__Output as _fedbiomed_v1_AnalyticsReply__Output } from './fedbiomed/v1/AnalyticsReply';
import type { AnalyticsRequest as _fedbiomed_v1_AnalyticsRequest, AnalyticsRequest__Output as _fedbiomed_v1_AnalyticsRequest__Output } from './fedbiomed/v1/AnalyticsRequest';
import type { ApprovalReply as _fedbiomed_v1_ApprovalReply, ApprovalReply__Output as _fedbiomed_v1_ApprovalReply__Output } from './fedbiomed/v1/ApprovalReply';
import type { ApprovalRequest as _fedbiomed_v1_ApprovalRequest, ApprovalRequest__Output as _fedbiomed_v1_ApprovalRequest__Output } from './fedbiomed/v1/ApprovalRequest';
import type { BinCounts as _fedbiomed_v1_BinCounts, BinCounts__Output as _fedbiomed_v1_BinCounts__Output } from './fedbiomed/v1/BinCounts';
import type { BulkChannelOffer as _fedbiomed_v1_BulkChannelOffer, BulkChannelOffer__Output as _fedbiomed_v1_BulkChannelOffer__Output } from './fedbiomed/v1/BulkChannelOffer';
import type { BulkTransfer as _fedbiomed_v1_BulkTransfer, BulkTransfer__Output as _fedbiomed_v1_BulkTransfer__Output } from './fedbiomed/v1/BulkTransfer';
import type { Cancel as _fedbiomed_v1_Cancel, Cancel__Output as _fedbiomed_v1_Cancel__Output } from './fedbiomed/v1/Cancel';
import type { CoMoments as _fedbiomed_v1_CoMoments, CoMoments__Output as _fedbiomed_v1_CoMoments__Output } from './fedbiomed/v1/CoMoments';
import type { ConcordanceBinning as _fedbiomed_v1_ConcordanceBinning, ConcordanceBinning__Output as _fedbiomed_v1_ConcordanceBinning__Output } from './fedbiomed/v1/ConcordanceBinning';
import type { ConcordanceHistogram as _fedbiomed_v1_ConcordanceHistogram, ConcordanceHistogram__Output as _fedbiomed_v1_ConcordanceHistogram__Output } from './fedbiomed/v1/ConcordanceHistogram';
import type { DatasetMetadata as _fedbiomed_v1_DatasetMetadata, DatasetMetadata__Output as _fedbiomed_v1_DatasetMetadata__Output } from './fedbiomed/v1/DatasetMetadata';
import type { DpArgs as _fedbiomed_v1_DpArgs, DpArgs__Output as _fedbiomed_v1_DpArgs__Output } from './fedbiomed/v1/DpArgs';
import type { Error as _fedbiomed_v1_Error, Error__Output as _fedbiomed_v1_Error__Output } from './fedbiomed/v1/Error';
import type { EvaluateReply as _fedbiomed_v1_EvaluateReply, EvaluateReply__Output as _fedbiomed_v1_EvaluateReply__Output } from './fedbiomed/v1/EvaluateReply';
import type { EvaluateRequest as _fedbiomed_v1_EvaluateRequest, EvaluateRequest__Output as _fedbiomed_v1_EvaluateRequest__Output } from './fedbiomed/v1/EvaluateRequest';
import type { FeatureStatisticsReply as _fedbiomed_v1_FeatureStatisticsReply, FeatureStatisticsReply__Output as _fedbiomed_v1_FeatureStatisticsReply__Output } from './fedbiomed/v1/FeatureStatisticsReply';
import type { FeatureStatisticsRequest as _fedbiomed_v1_FeatureStatisticsRequest, FeatureStatisticsRequest__Output as _fedbiomed_v1_FeatureStatisticsRequest__Output } from './fedbiomed/v1/FeatureStatisticsRequest';
import type { FeatureValues as _fedbiomed_v1_FeatureValues, FeatureValues__Output as _fedbiomed_v1_FeatureValues__Output } from './fedbiomed/v1/FeatureValues';
import type { FixedSplit as _fedbiomed_v1_FixedSplit, FixedSplit__Output as _fedbiomed_v1_FixedSplit__Output } from './fedbiomed/v1/FixedSplit';
import type { Heartbeat as _fedbiomed_v1_Heartbeat, Heartbeat__Output as _fedbiomed_v1_Heartbeat__Output } from './fedbiomed/v1/Heartbeat';
import type { Hello as _fedbiomed_v1_Hello, Hello__Output as _fedbiomed_v1_Hello__Output } from './fedbiomed/v1/Hello';
import type { HelloAck as _fedbiomed_v1_HelloAck, HelloAck__Output as _fedbiomed_v1_HelloAck__Output } from './fedbiomed/v1/HelloAck';
import type { Log as _fedbiomed_v1_Log, Log__Output as _fedbiomed_v1_Log__Output } from './fedbiomed/v1/Log';
import type { MetricSet as _fedbiomed_v1_MetricSet, MetricSet__Output as _fedbiomed_v1_MetricSet__Output } from './fedbiomed/v1/MetricSet';
import type { MissingCounts as _fedbiomed_v1_MissingCounts, MissingCounts__Output as _fedbiomed_v1_MissingCounts__Output } from './fedbiomed/v1/MissingCounts';
import type { Moments as _fedbiomed_v1_Moments, Moments__Output as _fedbiomed_v1_Moments__Output } from './fedbiomed/v1/Moments';
import type { NodeFrame as _fedbiomed_v1_NodeFrame, NodeFrame__Output as _fedbiomed_v1_NodeFrame__Output } from './fedbiomed/v1/NodeFrame';
import type { OptimizerArgs as _fedbiomed_v1_OptimizerArgs, OptimizerArgs__Output as _fedbiomed_v1_OptimizerArgs__Output } from './fedbiomed/v1/OptimizerArgs';
import type { PingReply as _fedbiomed_v1_PingReply, PingReply__Output as _fedbiomed_v1_PingReply__Output } from './fedbiomed/v1/PingReply';
import type { PingRequest as _fedbiomed_v1_PingRequest, PingRequest__Output as _fedbiomed_v1_PingRequest__Output } from './fedbiomed/v1/PingRequest';
import type { PlanStatusReply as _fedbiomed_v1_PlanStatusReply, PlanStatusReply__Output as _fedbiomed_v1_PlanStatusReply__Output } from './fedbiomed/v1/PlanStatusReply';
import type { PlanStatusRequest as _fedbiomed_v1_PlanStatusRequest, PlanStatusRequest__Output as _fedbiomed_v1_PlanStatusRequest__Output } from './fedbiomed/v1/PlanStatusRequest';
import type { PrivacySpent as _fedbiomed_v1_PrivacySpent, PrivacySpent__Output as _fedbiomed_v1_PrivacySpent__Output } from './fedbiomed/v1/PrivacySpent';
import type { ProtocolVersion as _fedbiomed_v1_ProtocolVersion, ProtocolVersion__Output as _fedbiomed_v1_ProtocolVersion__Output } from './fedbiomed/v1/ProtocolVersion';
import type { Reply as _fedbiomed_v1_Reply, Reply__Output as _fedbiomed_v1_Reply__Output } from './fedbiomed/v1/Reply';
import type { Request as _fedbiomed_v1_Request, Request__Output as _fedbiomed_v1_Request__Output } from './fedbiomed/v1/Request';
import type { ResearcherClient as _fedbiomed_v1_ResearcherClient, ResearcherDefinition as _fedbiomed_v1_ResearcherDefinition } from './fedbiomed/v1/Researcher';
import type { ResearcherFrame as _fedbiomed_v1_ResearcherFrame, ResearcherFrame__Output as _fedbiomed_v1_ResearcherFrame__Output } from './fedbiomed/v1/ResearcherFrame';
import type { Scalar as _fedbiomed_v1_Scalar, Scalar__Output as _fedbiomed_v1_Scalar__Output } from './fedbiomed/v1/Scalar';
import type { ScoreHistogram as _fedbiomed_v1_ScoreHistogram, ScoreHistogram__Output as _fedbiomed_v1_ScoreHistogram__Output } from './fedbiomed/v1/ScoreHistogram';
import type { SearchReply as _fedbiomed_v1_SearchReply, SearchReply__Output as _fedbiomed_v1_SearchReply__Output } from './fedbiomed/v1/SearchReply';
import type { SearchRequest as _fedbiomed_v1_SearchRequest, SearchRequest__Output as _fedbiomed_v1_SearchRequest__Output } from './fedbiomed/v1/SearchRequest';
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
import type { Standardization as _fedbiomed_v1_Standardization, Standardization__Output as _fedbiomed_v1_Standardization__Output } from './fedbiomed/v1/Standardization';
import type { StatisticResult as _fedbiomed_v1_StatisticResult, StatisticResult__Output as _fedbiomed_v1_StatisticResult__Output } from './fedbiomed/v1/StatisticResult';
import type { Tensor as _fedbiomed_v1_Tensor, Tensor__Output as _fedbiomed_v1_Tensor__Output } from './fedbiomed/v1/Tensor';
import type { TensorChunk as _fedbiomed_v1_TensorChunk, TensorChunk__Output as _fedbiomed_v1_TensorChunk__Output } from './fedbiomed/v1/TensorChunk';
import type { TensorHeader as _fedbiomed_v1_TensorHeader, TensorHeader__Output as _fedbiomed_v1_TensorHeader__Output } from './fedbiomed/v1/TensorHeader';
import type { TensorSet as _fedbiomed_v1_TensorSet, TensorSet__Output as _fedbiomed_v1_TensorSet__Output } from './fedbiomed/v1/TensorSet';
import type { Timing as _fedbiomed_v1_Timing, Timing__Output as _fedbiomed_v1_Timing__Output } from './fedbiomed/v1/Timing';
import type { TrainReply as _fedbiomed_v1_TrainReply, TrainReply__Output as _fedbiomed_v1_TrainReply__Output } from './fedbiomed/v1/TrainReply';
import type { TrainRequest as _fedbiomed_v1_TrainRequest, TrainRequest__Output as _fedbiomed_v1_TrainRequest__Output } from './fedbiomed/v1/TrainRequest';
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
      ApprovalReply: MessageTypeDefinition<_fedbiomed_v1_ApprovalReply, _fedbiomed_v1_ApprovalReply__Output>
      ApprovalRequest: MessageTypeDefinition<_fedbiomed_v1_ApprovalRequest, _fedbiomed_v1_ApprovalRequest__Output>
      BinCounts: MessageTypeDefinition<_fedbiomed_v1_BinCounts, _fedbiomed_v1_BinCounts__Output>
      BulkChannelOffer: MessageTypeDefinition<_fedbiomed_v1_BulkChannelOffer, _fedbiomed_v1_BulkChannelOffer__Output>
      BulkTransfer: MessageTypeDefinition<_fedbiomed_v1_BulkTransfer, _fedbiomed_v1_BulkTransfer__Output>
      Cancel: MessageTypeDefinition<_fedbiomed_v1_Cancel, _fedbiomed_v1_Cancel__Output>
      CoMoments: MessageTypeDefinition<_fedbiomed_v1_CoMoments, _fedbiomed_v1_CoMoments__Output>
      ConcordanceBinning: MessageTypeDefinition<_fedbiomed_v1_ConcordanceBinning, _fedbiomed_v1_ConcordanceBinning__Output>
      ConcordanceHistogram: MessageTypeDefinition<_fedbiomed_v1_ConcordanceHistogram, _fedbiomed_v1_ConcordanceHistogram__Output>
      DType: EnumTypeDefinition
      DatasetMetadata: MessageTypeDefinition<_fedbiomed_v1_DatasetMetadata, _fedbiomed_v1_DatasetMetadata__Output>
      DpArgs: MessageTypeDefinition<_fedbiomed_v1_DpArgs, _fedbiomed_v1_DpArgs__Output>
      Error: MessageTypeDefinition<_fedbiomed_v1_Error, _fedbiomed_v1_Error__Output>
      ErrorCode: EnumTypeDefinition
      EvaluateReply: MessageTypeDefinition<_fedbiomed_v1_EvaluateReply, _fedbiomed_v1_EvaluateReply__Output>
      EvaluateRequest: MessageTypeDefinition<_fedbiomed_v1_EvaluateRequest, _fedbiomed_v1_EvaluateRequest__Output>
      FeatureStatisticsReply: MessageTypeDefinition<_fedbiomed_v1_FeatureStatisticsReply, _fedbiomed_v1_FeatureStatisticsReply__Output>
      FeatureStatisticsRequest: MessageTypeDefinition<_fedbiomed_v1_FeatureStatisticsRequest, _fedbiomed_v1_FeatureStatisticsRequest__Output>
      FeatureValues: MessageTypeDefinition<_fedbiomed_v1_FeatureValues, _fedbiomed_v1_FeatureValues__Output>
      FixedSplit: MessageTypeDefinition<_fedbiomed_v1_FixedSplit, _fedbiomed_v1_FixedSplit__Output>
      Heartbeat: MessageTypeDefinition<_fedbiomed_v1_Heartbeat, _fedbiomed_v1_Heartbeat__Output>
      Hello: MessageTypeDefinition<_fedbiomed_v1_Hello, _fedbiomed_v1_Hello__Output>
      HelloAck: MessageTypeDefinition<_fedbiomed_v1_HelloAck, _fedbiomed_v1_HelloAck__Output>
      Log: MessageTypeDefinition<_fedbiomed_v1_Log, _fedbiomed_v1_Log__Output>
      LogLevel: EnumTypeDefinition
      MetricSet: MessageTypeDefinition<_fedbiomed_v1_MetricSet, _fedbiomed_v1_MetricSet__Output>
      MissingCounts: MessageTypeDefinition<_fedbiomed_v1_MissingCounts, _fedbiomed_v1_MissingCounts__Output>
      Moments: MessageTypeDefinition<_fedbiomed_v1_Moments, _fedbiomed_v1_Moments__Output>
      NodeFrame: MessageTypeDefinition<_fedbiomed_v1_NodeFrame, _fedbiomed_v1_NodeFrame__Output>
      OptimizerArgs: MessageTypeDefinition<_fedbiomed_v1_OptimizerArgs, _fedbiomed_v1_OptimizerArgs__Output>
      PingReply: MessageTypeDefinition<_fedbiomed_v1_PingReply, _fedbiomed_v1_PingReply__Output>
      PingRequest: MessageTypeDefinition<_fedbiomed_v1_PingRequest, _fedbiomed_v1_PingRequest__Output>
      PlanStatus: EnumTypeDefinition
      PlanStatusReply: MessageTypeDefinition<_fedbiomed_v1_PlanStatusReply, _fedbiomed_v1_PlanStatusReply__Output>
      PlanStatusRequest: MessageTypeDefinition<_fedbiomed_v1_PlanStatusRequest, _fedbiomed_v1_PlanStatusRequest__Output>
      PrivacySpent: MessageTypeDefinition<_fedbiomed_v1_PrivacySpent, _fedbiomed_v1_PrivacySpent__Output>
      ProtocolVersion: MessageTypeDefinition<_fedbiomed_v1_ProtocolVersion, _fedbiomed_v1_ProtocolVersion__Output>
      Reply: MessageTypeDefinition<_fedbiomed_v1_Reply, _fedbiomed_v1_Reply__Output>
      Request: MessageTypeDefinition<_fedbiomed_v1_Request, _fedbiomed_v1_Request__Output>
      Researcher: SubtypeConstructor<typeof grpc.Client, _fedbiomed_v1_ResearcherClient> & { service: _fedbiomed_v1_ResearcherDefinition }
      ResearcherFrame: MessageTypeDefinition<_fedbiomed_v1_ResearcherFrame, _fedbiomed_v1_ResearcherFrame__Output>
      Scalar: MessageTypeDefinition<_fedbiomed_v1_Scalar, _fedbiomed_v1_Scalar__Output>
      ScoreHistogram: MessageTypeDefinition<_fedbiomed_v1_ScoreHistogram, _fedbiomed_v1_ScoreHistogram__Output>
      SearchReply: MessageTypeDefinition<_fedbiomed_v1_SearchReply, _fedbiomed_v1_SearchReply__Output>
      SearchRequest: MessageTypeDefinition<_fedbiomed_v1_SearchRequest, _fedbiomed_v1_SearchRequest__Output>
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
      Standardization: MessageTypeDefinition<_fedbiomed_v1_Standardization, _fedbiomed_v1_Standardization__Output>
      StatisticResult: MessageTypeDefinition<_fedbiomed_v1_StatisticResult, _fedbiomed_v1_StatisticResult__Output>
      Tensor: MessageTypeDefinition<_fedbiomed_v1_Tensor, _fedbiomed_v1_Tensor__Output>
      TensorChunk: MessageTypeDefinition<_fedbiomed_v1_TensorChunk, _fedbiomed_v1_TensorChunk__Output>
      TensorHeader: MessageTypeDefinition<_fedbiomed_v1_TensorHeader, _fedbiomed_v1_TensorHeader__Output>
      TensorSet: MessageTypeDefinition<_fedbiomed_v1_TensorSet, _fedbiomed_v1_TensorSet__Output>
      Timing: MessageTypeDefinition<_fedbiomed_v1_Timing, _fedbiomed_v1_Timing__Output>
      TrainReply: MessageTypeDefinition<_fedbiomed_v1_TrainReply, _fedbiomed_v1_TrainReply__Output>
      TrainRequest: MessageTypeDefinition<_fedbiomed_v1_TrainRequest, _fedbiomed_v1_TrainRequest__Output>
      TrainingArgs: MessageTypeDefinition<_fedbiomed_v1_TrainingArgs, _fedbiomed_v1_TrainingArgs__Output>
      TrainingPlan: MessageTypeDefinition<_fedbiomed_v1_TrainingPlan, _fedbiomed_v1_TrainingPlan__Output>
    }
  }
}

