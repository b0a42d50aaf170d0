// Original file: proto/fedbiomed/v1/messages.proto

import type { TrainingPlan as _fedbiomed_v1_TrainingPlan, TrainingPlan__Output as _fedbiomed_v1_TrainingPlan__Output } from '../../fedbiomed/v1/TrainingPlan';
import type { TensorSet as _fedbiomed_v1_TensorSet, TensorSet__Output as _fedbiomed_v1_TensorSet__Output } from '../../fedbiomed/v1/TensorSet';
import type { TrainingArgs as _fedbiomed_v1_TrainingArgs, TrainingArgs__Output as _fedbiomed_v1_TrainingArgs__Output } from '../../fedbiomed/v1/TrainingArgs';
import type { Standardization as _fedbiomed_v1_Standardization, Standardization__Output as _fedbiomed_v1_Standardization__Output } from '../../fedbiomed/v1/Standardization';
import type { SecAggMasking as _fedbiomed_v1_SecAggMasking, SecAggMasking__Output as _fedbiomed_v1_SecAggMasking__Output } from '../../fedbiomed/v1/SecAggMasking';

export interface TrainRequest {
  'round'?: (number);
  'datasetId'?: (string);
  'plan'?: (_fedbiomed_v1_TrainingPlan | null);
  /**
   * Global model weights; their bytes follow as chunks.
   */
  'globalWeights'?: (_fedbiomed_v1_TensorSet | null);
  'args'?: (_fedbiomed_v1_TrainingArgs | null);
  /**
   * Strategy-specific state for this node, e.g. "scaffold.server_control", "scaffold.node_control".
   */
  'aux'?: ({[key: string]: _fedbiomed_v1_TensorSet});
  /**
   * Name of the aggregation strategy, for the node's records.
   */
  'strategyName'?: (string);
  /**
   * Whether the node should reply with a delta (local - global) instead of weights.
   */
  'replyDelta'?: (boolean);
  /**
   * Federated standardisation statistics, required when the plan declares
   * `standardize` with statistics "federated". Data, like the weights: not part of the plan's hash.
   */
  'standardization'?: (_fedbiomed_v1_Standardization | null);
  /**
   * Set inside a secure-aggregation round: the node replies with its masked weighted delta.
   */
  'secureAggregation'?: (_fedbiomed_v1_SecAggMasking | null);
}

export interface TrainRequest__Output {
  'round': (number);
  'datasetId': (string);
  'plan': (_fedbiomed_v1_TrainingPlan__Output | null);
  /**
   * Global model weights; their bytes follow as chunks.
   */
  'globalWeights': (_fedbiomed_v1_TensorSet__Output | null);
  'args': (_fedbiomed_v1_TrainingArgs__Output | null);
  /**
   * Strategy-specific state for this node, e.g. "scaffold.server_control", "scaffold.node_control".
   */
  'aux': ({[key: string]: _fedbiomed_v1_TensorSet__Output});
  /**
   * Name of the aggregation strategy, for the node's records.
   */
  'strategyName': (string);
  /**
   * Whether the node should reply with a delta (local - global) instead of weights.
   */
  'replyDelta': (boolean);
  /**
   * Federated standardisation statistics, required when the plan declares
   * `standardize` with statistics "federated". Data, like the weights: not part of the plan's hash.
   */
  'standardization': (_fedbiomed_v1_Standardization__Output | null);
  /**
   * Set inside a secure-aggregation round: the node replies with its masked weighted delta.
   */
  'secureAggregation': (_fedbiomed_v1_SecAggMasking__Output | null);
}
