// Original file: proto/fedbiomed/v1/analytics.proto

import type { TrainingPlan as _fedbiomed_v1_TrainingPlan, TrainingPlan__Output as _fedbiomed_v1_TrainingPlan__Output } from '../../fedbiomed/v1/TrainingPlan';

/**
 * Asks a node for the statistics of one dataset under an approved query.
 */
export interface AnalyticsRequest {
  'datasetId'?: (string);
  /**
   * The query as approved: kind "analytics-query", canonical JSON and its SHA-256.
   */
  'query'?: (_fedbiomed_v1_TrainingPlan | null);
}

/**
 * Asks a node for the statistics of one dataset under an approved query.
 */
export interface AnalyticsRequest__Output {
  'datasetId': (string);
  /**
   * The query as approved: kind "analytics-query", canonical JSON and its SHA-256.
   */
  'query': (_fedbiomed_v1_TrainingPlan__Output | null);
}
