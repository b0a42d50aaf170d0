// Original file: proto/fedbiomed/v1/messages.proto

import type { SearchReply as _fedbiomed_v1_SearchReply, SearchReply__Output as _fedbiomed_v1_SearchReply__Output } from '../../fedbiomed/v1/SearchReply';
import type { ApprovalReply as _fedbiomed_v1_ApprovalReply, ApprovalReply__Output as _fedbiomed_v1_ApprovalReply__Output } from '../../fedbiomed/v1/ApprovalReply';
import type { PlanStatusReply as _fedbiomed_v1_PlanStatusReply, PlanStatusReply__Output as _fedbiomed_v1_PlanStatusReply__Output } from '../../fedbiomed/v1/PlanStatusReply';
import type { TrainReply as _fedbiomed_v1_TrainReply, TrainReply__Output as _fedbiomed_v1_TrainReply__Output } from '../../fedbiomed/v1/TrainReply';
import type { EvaluateReply as _fedbiomed_v1_EvaluateReply, EvaluateReply__Output as _fedbiomed_v1_EvaluateReply__Output } from '../../fedbiomed/v1/EvaluateReply';
import type { PingReply as _fedbiomed_v1_PingReply, PingReply__Output as _fedbiomed_v1_PingReply__Output } from '../../fedbiomed/v1/PingReply';
import type { Error as _fedbiomed_v1_Error, Error__Output as _fedbiomed_v1_Error__Output } from '../../fedbiomed/v1/Error';
import type { FeatureStatisticsReply as _fedbiomed_v1_FeatureStatisticsReply, FeatureStatisticsReply__Output as _fedbiomed_v1_FeatureStatisticsReply__Output } from '../../fedbiomed/v1/FeatureStatisticsReply';
import type { AnalyticsReply as _fedbiomed_v1_AnalyticsReply, AnalyticsReply__Output as _fedbiomed_v1_AnalyticsReply__Output } from '../../fedbiomed/v1/AnalyticsReply';
import type { SecAggSetupReply as _fedbiomed_v1_SecAggSetupReply, SecAggSetupReply__Output as _fedbiomed_v1_SecAggSetupReply__Output } from '../../fedbiomed/v1/SecAggSetupReply';
import type { SecAggShareKeysReply as _fedbiomed_v1_SecAggShareKeysReply, SecAggShareKeysReply__Output as _fedbiomed_v1_SecAggShareKeysReply__Output } from '../../fedbiomed/v1/SecAggShareKeysReply';
import type { SecAggUnmaskReply as _fedbiomed_v1_SecAggUnmaskReply, SecAggUnmaskReply__Output as _fedbiomed_v1_SecAggUnmaskReply__Output } from '../../fedbiomed/v1/SecAggUnmaskReply';

export interface Reply {
  'requestId'?: (string);
  'nodeId'?: (string);
  'search'?: (_fedbiomed_v1_SearchReply | null);
  'approval'?: (_fedbiomed_v1_ApprovalReply | null);
  'planStatus'?: (_fedbiomed_v1_PlanStatusReply | null);
  'train'?: (_fedbiomed_v1_TrainReply | null);
  'evaluate'?: (_fedbiomed_v1_EvaluateReply | null);
  'ping'?: (_fedbiomed_v1_PingReply | null);
  'error'?: (_fedbiomed_v1_Error | null);
  'featureStatistics'?: (_fedbiomed_v1_FeatureStatisticsReply | null);
  'analytics'?: (_fedbiomed_v1_AnalyticsReply | null);
  'secaggSetup'?: (_fedbiomed_v1_SecAggSetupReply | null);
  'secaggShareKeys'?: (_fedbiomed_v1_SecAggShareKeysReply | null);
  'secaggUnmask'?: (_fedbiomed_v1_SecAggUnmaskReply | null);
  'body'?: "search"|"approval"|"planStatus"|"train"|"evaluate"|"ping"|"error"|"featureStatistics"|"analytics"|"secaggSetup"|"secaggShareKeys"|"secaggUnmask";
}

export interface Reply__Output {
  'requestId': (string);
  'nodeId': (string);
  'search'?: (_fedbiomed_v1_SearchReply__Output | null);
  'approval'?: (_fedbiomed_v1_ApprovalReply__Output | null);
  'planStatus'?: (_fedbiomed_v1_PlanStatusReply__Output | null);
  'train'?: (_fedbiomed_v1_TrainReply__Output | null);
  'evaluate'?: (_fedbiomed_v1_EvaluateReply__Output | null);
  'ping'?: (_fedbiomed_v1_PingReply__Output | null);
  'error'?: (_fedbiomed_v1_Error__Output | null);
  'featureStatistics'?: (_fedbiomed_v1_FeatureStatisticsReply__Output | null);
  'analytics'?: (_fedbiomed_v1_AnalyticsReply__Output | null);
  'secaggSetup'?: (_fedbiomed_v1_SecAggSetupReply__Output | null);
  'secaggShareKeys'?: (_fedbiomed_v1_SecAggShareKeysReply__Output | null);
  'secaggUnmask'?: (_fedbiomed_v1_SecAggUnmaskReply__Output | null);
  'body'?: "search"|"approval"|"planStatus"|"train"|"evaluate"|"ping"|"error"|"featureStatistics"|"analytics"|"secaggSetup"|"secaggShareKeys"|"secaggUnmask";
}
