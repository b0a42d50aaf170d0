// Original file: proto/fedbiomed/v1/plan.proto

import type { OptimizerArgs as _fedbiomed_v1_OptimizerArgs, OptimizerArgs__Output as _fedbiomed_v1_OptimizerArgs__Output } from '../../fedbiomed/v1/OptimizerArgs';
import type { DpArgs as _fedbiomed_v1_DpArgs, DpArgs__Output as _fedbiomed_v1_DpArgs__Output } from '../../fedbiomed/v1/DpArgs';
import type { Long } from '@grpc/proto-loader';

export interface TrainingArgs {
  /**
   * Local epochs; ignored when num_updates is set.
   */
  'epochs'?: (number);
  /**
   * Number of local optimiser steps; takes precedence over epochs when non-zero.
   */
  'numUpdates'?: (number);
  'batchSize'?: (number);
  /**
   * Maximum batches per epoch (0: no limit).
   */
  'batchMaxnum'?: (number);
  'optimizer'?: (_fedbiomed_v1_OptimizerArgs | null);
  /**
   * FedProx proximal coefficient mu (0: plain local training).
   */
  'fedproxMu'?: (number | string);
  /**
   * Fraction of the dataset held out as a test split, fixed per node and experiment.
   */
  'testRatio'?: (number | string);
  'testOnLocalUpdates'?: (boolean);
  'testOnGlobalUpdates'?: (boolean);
  /**
   * Metric names, e.g. "accuracy", "f1_macro", "roc_auc", "mse".
   */
  'metrics'?: (string)[];
  'dp'?: (_fedbiomed_v1_DpArgs | null);
  'randomSeed'?: (number | string | Long);
  'useGpu'?: (boolean);
  /**
   * Loss is read back and streamed every log_interval batches (0: once per epoch).
   */
  'logInterval'?: (number);
  /**
   * Request secure aggregation of this update; a node whose policy requires it refuses otherwise.
   */
  'secureAggregation'?: (boolean);
  '_randomSeed'?: "randomSeed";
}

export interface TrainingArgs__Output {
  /**
   * Local epochs; ignored when num_updates is set.
   */
  'epochs': (number);
  /**
   * Number of local optimiser steps; takes precedence over epochs when non-zero.
   */
  'numUpdates': (number);
  'batchSize': (number);
  /**
   * Maximum batches per epoch (0: no limit).
   */
  'batchMaxnum': (number);
  'optimizer': (_fedbiomed_v1_OptimizerArgs__Output | null);
  /**
   * FedProx proximal coefficient mu (0: plain local training).
   */
  'fedproxMu': (number);
  /**
   * Fraction of the dataset held out as a test split, fixed per node and experiment.
   */
  'testRatio': (number);
  'testOnLocalUpdates': (boolean);
  'testOnGlobalUpdates': (boolean);
  /**
   * Metric names, e.g. "accuracy", "f1_macro", "roc_auc", "mse".
   */
  'metrics': (string)[];
  'dp': (_fedbiomed_v1_DpArgs__Output | null);
  'randomSeed'?: (number);
  'useGpu': (boolean);
  /**
   * Loss is read back and streamed every log_interval batches (0: once per epoch).
   */
  'logInterval': (number);
  /**
   * Request secure aggregation of this update; a node whose policy requires it refuses otherwise.
   */
  'secureAggregation': (boolean);
  '_randomSeed'?: "randomSeed";
}
