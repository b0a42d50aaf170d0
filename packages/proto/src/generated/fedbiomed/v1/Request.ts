// Original file: proto/fedbiomed/v1/messages.proto

import type { SearchRequest as _fedbiomed_v1_SearchRequest, SearchRequest__Output as _fedbiomed_v1_SearchRequest__Output } from '../../fedbiomed/v1/SearchRequest';
import type { ApprovalRequest as _fedbiomed_v1_ApprovalRequest, ApprovalRequest__Output as _fedbiomed_v1_ApprovalRequest__Output } from '../../fedbiomed/v1/ApprovalRequest';
import type { PlanStatusRequest as _fedbiomed_v1_PlanStatusRequest, PlanStatusRequest__Output as _fedbiomed_v1_PlanStatusRequest__Output } from '../../fedbiomed/v1/PlanStatusRequest';
import type { TrainRequest as _fedbiomed_v1_TrainRequest, TrainRequest__Output as _fedbiomed_v1_TrainRequest__Output } from '../../fedbiomed/v1/TrainRequest';
import type { EvaluateRequest as _fedbiomed_v1_EvaluateRequest, EvaluateRequest__Output as _fedbiomed_v1_EvaluateRequest__Output } from '../../fedbiomed/v1/EvaluateRequest';
import type { PingRequest as _fedbiomed_v1_PingRequest, PingRequest__Output as _fedbiomed_v1_PingRequest__Output } from '../../fedbiomed/v1/PingRequest';
import type { FeatureStatisticsRequest as _fedbiomed_v1_FeatureStatisticsRequest, FeatureStatisticsRequest__Output as _fedbiomed_v1_FeatureStatisticsRequest__Output } from '../../fedbiomed/v1/FeatureStatisticsRequest';
import type { AnalyticsRequest as _fedbiomed_v1_AnalyticsRequest, AnalyticsRequest__Output as _fedbiomed_v1_AnalyticsRequest__Output } from '../../fedbiomed/v1/AnalyticsRequest';
import type { SecAggSetupRequest as _fedbiomed_v1_SecAggSetupRequest, SecAggSetupRequest__Output as _fedbiomed_v1_SecAggSetupRequest__Output } from '../../fedbiomed/v1/SecAggSetupRequest';
import type { SecAggShareKeysRequest as _fedbiomed_v1_SecAggShareKeysRequest, SecAggShareKeysRequest__Output as _fedbiomed_v1_SecAggShareKeysRequest__Output } from '../../fedbiomed/v1/SecAggShareKeysRequest';
import type { SecAggUnmaskRequest as _fedbiomed_v1_SecAggUnmaskRequest, SecAggUnmaskRequest__Output as _fedbiomed_v1_SecAggUnmaskRequest__Output } from '../../fedbiomed/v1/SecAggUnmaskRequest';

export interface Request {
  'requestId'?: (string);
  'experimentId'?: (string);
  'search'?: (_fedbiomed_v1_SearchRequest | null);
  'approval'?: (_fedbiomed_v1_ApprovalRequest | null);
  'planStatus'?: (_fedbiomed_v1_PlanStatusRequest | null);
  'train'?: (_fedbiomed_v1_TrainRequest | null);
  'evaluate'?: (_fedbiomed_v1_EvaluateRequest | null);
  'ping'?: (_fedbiomed_v1_PingRequest | null);
  'featureStatistics'?: (_fedbiomed_v1_FeatureStatisticsRequest | null);
  /**
   * Federated analytics (analytics.proto).
   */
  'analytics'?: (_fedbiomed_v1_AnalyticsRequest | null);
  /**
   * Secure aggregation steps (secagg.proto).
   */
  'secaggSetup'?: (_fedbiomed_v1_SecAggSetupRequest | null);
  'secaggShareKeys'?: (_fedbiomed_v1_SecAggShareKeysRequest | null);
  'secaggUnmask'?: (_fedbiomed_v1_SecAggUnmaskRequest | null);
  'body'?: "search"|"approval"|"planStatus"|"train"|"evaluate"|"ping"|"featureStatistics"|"analytics"|"secaggSetup"|"secaggShareKeys"|"secaggUnmask";
}

export interface Request__Output {
  'requestId': (string);
  'experimentId': (string);
  'search'?: (_fedbiomed_v1_SearchRequest__Output | null);
  'approval'?: (_fedbiomed_v1_ApprovalRequest__Output | null);
  'planStatus'?: (_fedbiomed_v1_PlanStatusRequest__Output | null);
  'train'?: (_fedbiomed_v1_TrainRequest__Output | null);
  'evaluate'?: (_fedbiomed_v1_EvaluateRequest__Output | null);
  'ping'?: (_fedbiomed_v1_PingRequest__Output | null);
  'featureStatistics'?: (_fedbiomed_v1_FeatureStatisticsRequest__Output | null);
  /**
   * Federated analytics (analytics.proto).
   */
  'analytics'?: (_fedbiomed_v1_AnalyticsRequest__Output | null);
  /**
   * Secure aggregation steps (secagg.proto).
   */
  'secaggSetup'?: (_fedbiomed_v1_SecAggSetupRequest__Output | null);
  'secaggShareKeys'?: (_fedbiomed_v1_SecAggShareKeysRequest__Output | null);
  'secaggUnmask'?: (_fedbiomed_v1_SecAggUnmaskRequest__Output | null);
  'body'?: "search"|"approval"|"planStatus"|"train"|"evaluate"|"ping"|"featureStatistics"|"analytics"|"secaggSetup"|"secaggShareKeys"|"secaggUnmask";
}
