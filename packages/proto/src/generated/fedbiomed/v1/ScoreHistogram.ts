// Original file: proto/fedbiomed/v1/messages.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Counts of evaluated samples per equal-width bin of the predicted positive-class probability on
 * [0, 1] (bin i holds scores in [i/B, (i+1)/B), the last bin also 1), split by true label.
 */
export interface ScoreHistogram {
  /**
   * Negatives (label 0) per bin; B entries.
   */
  'negatives'?: (number | string | Long)[];
  /**
   * Positives (label 1) per bin; B entries.
   */
  'positives'?: (number | string | Long)[];
}

/**
 * Counts of evaluated samples per equal-width bin of the predicted positive-class probability on
 * [0, 1] (bin i holds scores in [i/B, (i+1)/B), the last bin also 1), split by true label.
 */
export interface ScoreHistogram__Output {
  /**
   * Negatives (label 0) per bin; B entries.
   */
  'negatives': (number)[];
  /**
   * Positives (label 1) per bin; B entries.
   */
  'positives': (number)[];
}
