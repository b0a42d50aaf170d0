// Original file: proto/fedbiomed/v1/messages.proto

import type { MetricSet as _fedbiomed_v1_MetricSet, MetricSet__Output as _fedbiomed_v1_MetricSet__Output } from '../../fedbiomed/v1/MetricSet';
import type { ScoreHistogram as _fedbiomed_v1_ScoreHistogram, ScoreHistogram__Output as _fedbiomed_v1_ScoreHistogram__Output } from '../../fedbiomed/v1/ScoreHistogram';
import type { ConcordanceHistogram as _fedbiomed_v1_ConcordanceHistogram, ConcordanceHistogram__Output as _fedbiomed_v1_ConcordanceHistogram__Output } from '../../fedbiomed/v1/ConcordanceHistogram';

export interface EvaluateReply {
  'datasetId'?: (string);
  'metrics'?: (_fedbiomed_v1_MetricSet | null);
  /**
   * Binned score statistics for pooling ranking metrics across nodes, keyed by metric ("roc_auc"):
   * counts per bin only, never a sample's score or label.
   */
  'scoreHistograms'?: ({[key: string]: _fedbiomed_v1_ScoreHistogram});
  /**
   * Counts per cell of the request's concordance_binning, for pooling concordance_index; set only
   * when the request carried a binning and concordance_index was computed.
   */
  'concordanceHistogram'?: (_fedbiomed_v1_ConcordanceHistogram | null);
}

export interface EvaluateReply__Output {
  'datasetId': (string);
  'metrics': (_fedbiomed_v1_MetricSet__Output | null);
  /**
   * Binned score statistics for pooling ranking metrics across nodes, keyed by metric ("roc_auc"):
   * counts per bin only, never a sample's score or label.
   */
  'scoreHistograms': ({[key: string]: _fedbiomed_v1_ScoreHistogram__Output});
  /**
   * Counts per cell of the request's concordance_binning, for pooling concordance_index; set only
   * when the request carried a binning and concordance_index was computed.
   */
  'concordanceHistogram': (_fedbiomed_v1_ConcordanceHistogram__Output | null);
}
