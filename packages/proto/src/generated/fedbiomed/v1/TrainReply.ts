// Original file: proto/fedbiomed/v1/messages.proto

import type { TensorSet as _fedbiomed_v1_TensorSet, TensorSet__Output as _fedbiomed_v1_TensorSet__Output } from '../../fedbiomed/v1/TensorSet';
import type { MetricSet as _fedbiomed_v1_MetricSet, MetricSet__Output as _fedbiomed_v1_MetricSet__Output } from '../../fedbiomed/v1/MetricSet';
import type { Timing as _fedbiomed_v1_Timing, Timing__Output as _fedbiomed_v1_Timing__Output } from '../../fedbiomed/v1/Timing';
import type { PrivacySpent as _fedbiomed_v1_PrivacySpent, PrivacySpent__Output as _fedbiomed_v1_PrivacySpent__Output } from '../../fedbiomed/v1/PrivacySpent';
import type { Long } from '@grpc/proto-loader';

export interface TrainReply {
  'datasetId'?: (string);
  'round'?: (number);
  /**
   * Number of training samples the update was computed on.
   */
  'sampleCount'?: (number | string | Long);
  /**
   * Updated weights, or the delta local - global when is_delta is set; bytes follow as chunks.
   */
  'weights'?: (_fedbiomed_v1_TensorSet | null);
  'isDelta'?: (boolean);
  /**
   * Global model on the test split, before local training.
   */
  'metricsBefore'?: (_fedbiomed_v1_MetricSet | null);
  /**
   * Local model on the test split, after local training.
   */
  'metricsAfter'?: (_fedbiomed_v1_MetricSet | null);
  'timing'?: (_fedbiomed_v1_Timing | null);
  /**
   * Strategy-specific state from the node, e.g. "scaffold.control_delta".
   */
  'aux'?: ({[key: string]: _fedbiomed_v1_TensorSet});
  /**
   * Number of local optimiser steps actually taken.
   */
  'numUpdates'?: (number);
  /**
   * Backend the node trained on ("wasm", "webgpu", "tensorflow", "cpu").
   */
  'backend'?: (string);
  /**
   * Rows in the train split the node trained from (its registered dataset less the test rows):
   * the weight of the update under dataset-size weighting. 0 from nodes predating the field.
   */
  'trainSize'?: (number | string | Long);
  /**
   * Differential privacy the task spent, when it ran under DP; absent otherwise.
   */
  'privacy'?: (_fedbiomed_v1_PrivacySpent | null);
}

export interface TrainReply__Output {
  'datasetId': (string);
  'round': (number);
  /**
   * Number of training samples the update was computed on.
   */
  'sampleCount': (number);
  /**
   * Updated weights, or the delta local - global when is_delta is set; bytes follow as chunks.
   */
  'weights': (_fedbiomed_v1_TensorSet__Output | null);
  'isDelta': (boolean);
  /**
   * Global model on the test split, before local training.
   */
  'metricsBefore': (_fedbiomed_v1_MetricSet__Output | null);
  /**
   * Local model on the test split, after local training.
   */
  'metricsAfter': (_fedbiomed_v1_MetricSet__Output | null);
  'timing': (_fedbiomed_v1_Timing__Output | null);
  /**
   * Strategy-specific state from the node, e.g. "scaffold.control_delta".
   */
  'aux': ({[key: string]: _fedbiomed_v1_TensorSet__Output});
  /**
   * Number of local optimiser steps actually taken.
   */
  'numUpdates': (number);
  /**
   * Backend the node trained on ("wasm", "webgpu", "tensorflow", "cpu").
   */
  'backend': (string);
  /**
   * Rows in the train split the node trained from (its registered dataset less the test rows):
   * the weight of the update under dataset-size weighting. 0 from nodes predating the field.
   */
  'trainSize': (number);
  /**
   * Differential privacy the task spent, when it ran under DP; absent otherwise.
   */
  'privacy': (_fedbiomed_v1_PrivacySpent__Output | null);
}
