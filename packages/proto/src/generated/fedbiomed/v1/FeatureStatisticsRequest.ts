// Original file: proto/fedbiomed/v1/messages.proto

import type { TrainingPlan as _fedbiomed_v1_TrainingPlan, TrainingPlan__Output as _fedbiomed_v1_TrainingPlan__Output } from '../../fedbiomed/v1/TrainingPlan';
import type { Long } from '@grpc/proto-loader';

/**
 * Asks a node for the sufficient statistics of its train split's features, for a plan it approved
 * that declares federated standardisation. The node answers with aggregates only, never rows.
 */
export interface FeatureStatisticsRequest {
  'datasetId'?: (string);
  'plan'?: (_fedbiomed_v1_TrainingPlan | null);
  /**
   * The split the training rounds will use (same ratio and seed as TrainingArgs).
   */
  'testRatio'?: (number | string);
  'randomSeed'?: (number | string | Long);
  '_randomSeed'?: "randomSeed";
}

/**
 * Asks a node for the sufficient statistics of its train split's features, for a plan it approved
 * that declares federated standardisation. The node answers with aggregates only, never rows.
 */
export interface FeatureStatisticsRequest__Output {
  'datasetId': (string);
  'plan': (_fedbiomed_v1_TrainingPlan__Output | null);
  /**
   * The split the training rounds will use (same ratio and seed as TrainingArgs).
   */
  'testRatio': (number);
  'randomSeed'?: (number);
  '_randomSeed'?: "randomSeed";
}
