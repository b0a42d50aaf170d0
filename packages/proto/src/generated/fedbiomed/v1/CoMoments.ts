// Original file: proto/fedbiomed/v1/analytics.proto


/**
 * Moments plus the co-moments C[j][k] = sum over rows of (x_j - mean_j)(x_k - mean_k), row-major.
 */
export interface CoMoments {
  'count'?: (number | string);
  'mean'?: (number | string)[];
  'comoment'?: (number | string)[];
}

/**
 * Moments plus the co-moments C[j][k] = sum over rows of (x_j - mean_j)(x_k - mean_k), row-major.
 */
export interface CoMoments__Output {
  'count': (number);
  'mean': (number)[];
  'comoment': (number)[];
}
