// Original file: proto/fedbiomed/v1/analytics.proto

import type { StatisticResult as _fedbiomed_v1_StatisticResult, StatisticResult__Output as _fedbiomed_v1_StatisticResult__Output } from '../../fedbiomed/v1/StatisticResult';
import type { AnalyticsPrivacy as _fedbiomed_v1_AnalyticsPrivacy, AnalyticsPrivacy__Output as _fedbiomed_v1_AnalyticsPrivacy__Output } from '../../fedbiomed/v1/AnalyticsPrivacy';

export interface AnalyticsReply {
  'datasetId'?: (string);
  'querySha256'?: (string);
  /**
   * Names of the dataset's flattened features, in order (what the query's positions refer to).
   */
  'featureNames'?: (string)[];
  'results'?: (_fedbiomed_v1_StatisticResult)[];
  'privacy'?: (_fedbiomed_v1_AnalyticsPrivacy | null);
  /**
   * Names of the classes, for labelCounts.
   */
  'classNames'?: (string)[];
}

export interface AnalyticsReply__Output {
  'datasetId': (string);
  'querySha256': (string);
  /**
   * Names of the dataset's flattened features, in order (what the query's positions refer to).
   */
  'featureNames': (string)[];
  'results': (_fedbiomed_v1_StatisticResult__Output)[];
  'privacy': (_fedbiomed_v1_AnalyticsPrivacy__Output | null);
  /**
   * Names of the classes, for labelCounts.
   */
  'classNames': (string)[];
}
