// Original file: proto/fedbiomed/v1/messages.proto

import type { MetricSet as _fedbiomed_v1_MetricSet, MetricSet__Output as _fedbiomed_v1_MetricSet__Output } from '../../fedbiomed/v1/MetricSet';
import type { ScoreHistogram as _fedbiomed_v1_ScoreHistogram, ScoreHistogram__Output as _fedbiomed_v1_ScoreHistogram__Output } from '../../fedbiomed/v1/ScoreHistogram';

export interface EvaluateReply {
  'datasetId'?: (string);
  'metrics'?: (_fedbiomed_v1_MetricSet | null);
  /**
   * Binned score statistics for pooling ranking metrics across nodes, keyed by metric ("roc_auc"):
   * counts per bin only, never a sample's score or label.
   */
  'scoreHistograms'?: ({[key: string]: _fedbiomed_v1_ScoreHistogram});
}

export interface EvaluateReply__Output {
  'datasetId': (string);
  'metrics': (_fedbiomed_v1_MetricSet__Output | null);
  /**
   * Binned score statistics for pooling ranking metrics across nodes, keyed by metric ("roc_auc"):
   * counts per bin only, never a sample's score or label.
   */
  'scoreHistograms': ({[key: string]: _fedbiomed_v1_ScoreHistogram__Output});
}
