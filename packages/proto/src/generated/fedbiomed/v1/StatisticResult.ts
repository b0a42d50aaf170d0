// Original file: proto/fedbiomed/v1/analytics.proto

import type { Moments as _fedbiomed_v1_Moments, Moments__Output as _fedbiomed_v1_Moments__Output } from '../../fedbiomed/v1/Moments';
import type { CoMoments as _fedbiomed_v1_CoMoments, CoMoments__Output as _fedbiomed_v1_CoMoments__Output } from '../../fedbiomed/v1/CoMoments';
import type { BinCounts as _fedbiomed_v1_BinCounts, BinCounts__Output as _fedbiomed_v1_BinCounts__Output } from '../../fedbiomed/v1/BinCounts';
import type { MissingCounts as _fedbiomed_v1_MissingCounts, MissingCounts__Output as _fedbiomed_v1_MissingCounts__Output } from '../../fedbiomed/v1/MissingCounts';
import type { FeatureValues as _fedbiomed_v1_FeatureValues, FeatureValues__Output as _fedbiomed_v1_FeatureValues__Output } from '../../fedbiomed/v1/FeatureValues';

/**
 * The answer to one statistic of the query, in the query's order.
 */
export interface StatisticResult {
  'count'?: (number | string);
  'moments'?: (_fedbiomed_v1_Moments | null);
  'comoments'?: (_fedbiomed_v1_CoMoments | null);
  'bins'?: (_fedbiomed_v1_BinCounts | null);
  'missing'?: (_fedbiomed_v1_MissingCounts | null);
  'extremes'?: (_fedbiomed_v1_FeatureValues | null);
  /**
   * Scale of the noise added to this result (Laplace b or Gaussian sigma); 0 without DP.
   */
  'noiseScale'?: (number | string);
  /**
   * Privacy budget spent on this result.
   */
  'epsilon'?: (number | string);
  'value'?: "count"|"moments"|"comoments"|"bins"|"missing"|"extremes";
}

/**
 * The answer to one statistic of the query, in the query's order.
 */
export interface StatisticResult__Output {
  'count'?: (number);
  'moments'?: (_fedbiomed_v1_Moments__Output | null);
  'comoments'?: (_fedbiomed_v1_CoMoments__Output | null);
  'bins'?: (_fedbiomed_v1_BinCounts__Output | null);
  'missing'?: (_fedbiomed_v1_MissingCounts__Output | null);
  'extremes'?: (_fedbiomed_v1_FeatureValues__Output | null);
  /**
   * Scale of the noise added to this result (Laplace b or Gaussian sigma); 0 without DP.
   */
  'noiseScale': (number);
  /**
   * Privacy budget spent on this result.
   */
  'epsilon': (number);
  'value'?: "count"|"moments"|"comoments"|"bins"|"missing"|"extremes";
}
