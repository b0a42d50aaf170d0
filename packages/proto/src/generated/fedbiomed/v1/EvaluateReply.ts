// Original file: proto/fedbiomed/v1/messages.proto

import type { MetricSet as _fedbiomed_v1_MetricSet, MetricSet__Output as _fedbiomed_v1_MetricSet__Output } from '../../fedbiomed/v1/MetricSet';

export interface EvaluateReply {
  'datasetId'?: (string);
  'metrics'?: (_fedbiomed_v1_MetricSet | null);
}

export interface EvaluateReply__Output {
  'datasetId': (string);
  'metrics': (_fedbiomed_v1_MetricSet__Output | null);
}
