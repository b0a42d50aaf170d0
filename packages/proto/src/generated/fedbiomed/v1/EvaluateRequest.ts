// Original file: proto/fedbiomed/v1/messages.proto

import type { TrainingPlan as _fedbiomed_v1_TrainingPlan, TrainingPlan__Output as _fedbiomed_v1_TrainingPlan__Output } from '../../fedbiomed/v1/TrainingPlan';
import type { TensorSet as _fedbiomed_v1_TensorSet, TensorSet__Output as _fedbiomed_v1_TensorSet__Output } from '../../fedbiomed/v1/TensorSet';
import type { Standardization as _fedbiomed_v1_Standardization, Standardization__Output as _fedbiomed_v1_Standardization__Output } from '../../fedbiomed/v1/Standardization';
import type { ConcordanceBinning as _fedbiomed_v1_ConcordanceBinning, ConcordanceBinning__Output as _fedbiomed_v1_ConcordanceBinning__Output } from '../../fedbiomed/v1/ConcordanceBinning';
import type { Long } from '@grpc/proto-loader';

export interface EvaluateRequest {
  'datasetId'?: (string);
  'plan'?: (_fedbiomed_v1_TrainingPlan | null);
  'weights'?: (_fedbiomed_v1_TensorSet | null);
  'metrics'?: (string)[];
  'testRatio'?: (number | string);
  'randomSeed'?: (number | string | Long);
  /**
   * As in TrainRequest.standardization.
   */
  'standardization'?: (_fedbiomed_v1_Standardization | null);
  /**
   * Shared bins for pooling concordance_index across nodes; absent: no concordance histogram.
   */
  'concordanceBinning'?: (_fedbiomed_v1_ConcordanceBinning | null);
  '_randomSeed'?: "randomSeed";
}

export interface EvaluateRequest__Output {
  'datasetId': (string);
  'plan': (_fedbiomed_v1_TrainingPlan__Output | null);
  'weights': (_fedbiomed_v1_TensorSet__Output | null);
  'metrics': (string)[];
  'testRatio': (number);
  'randomSeed'?: (number);
  /**
   * As in TrainRequest.standardization.
   */
  'standardization': (_fedbiomed_v1_Standardization__Output | null);
  /**
   * Shared bins for pooling concordance_index across nodes; absent: no concordance histogram.
   */
  'concordanceBinning': (_fedbiomed_v1_ConcordanceBinning__Output | null);
  '_randomSeed'?: "randomSeed";
}
