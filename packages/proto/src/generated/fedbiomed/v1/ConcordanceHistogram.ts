// Original file: proto/fedbiomed/v1/concordance.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A node's test samples counted per (time bin, event flag, risk bin) cell, plus its exact
 * within-node pair counts under lifelines' rules. Only non-empty cells are listed; the i-th entry of
 * each repeated field describes the same cell.
 */
export interface ConcordanceHistogram {
  'timeBins'?: (number)[];
  /**
   * 1 for an observed event, 0 for a censored time.
   */
  'events'?: (number)[];
  'riskBins'?: (number)[];
  'counts'?: (number | string | Long)[];
  /**
   * Comparable pairs among the node's own test samples.
   */
  'comparablePairs'?: (number | string | Long);
  /**
   * Comparable pairs whose earlier sample has the strictly higher risk.
   */
  'concordantPairs'?: (number | string | Long);
  /**
   * Comparable pairs with equal risks (each counts 1/2 in the C-index).
   */
  'tiedRiskPairs'?: (number | string | Long);
}

/**
 * A node's test samples counted per (time bin, event flag, risk bin) cell, plus its exact
 * within-node pair counts under lifelines' rules. Only non-empty cells are listed; the i-th entry of
 * each repeated field describes the same cell.
 */
export interface ConcordanceHistogram__Output {
  'timeBins': (number)[];
  /**
   * 1 for an observed event, 0 for a censored time.
   */
  'events': (number)[];
  'riskBins': (number)[];
  'counts': (number)[];
  /**
   * Comparable pairs among the node's own test samples.
   */
  'comparablePairs': (number);
  /**
   * Comparable pairs whose earlier sample has the strictly higher risk.
   */
  'concordantPairs': (number);
  /**
   * Comparable pairs with equal risks (each counts 1/2 in the C-index).
   */
  'tiedRiskPairs': (number);
}
