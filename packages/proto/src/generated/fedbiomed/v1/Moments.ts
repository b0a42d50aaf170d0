// Original file: proto/fedbiomed/v1/analytics.proto


/**
 * Count, mean and sum of squared deviations from the mean (M2) of some features over the same rows:
 * exact mergeable moments (Chan, Golub and LeVeque). Under DP noise, derived from noised sums.
 */
export interface Moments {
  'count'?: (number | string);
  'mean'?: (number | string)[];
  'm2'?: (number | string)[];
}

/**
 * Count, mean and sum of squared deviations from the mean (M2) of some features over the same rows:
 * exact mergeable moments (Chan, Golub and LeVeque). Under DP noise, derived from noised sums.
 */
export interface Moments__Output {
  'count': (number);
  'mean': (number)[];
  'm2': (number)[];
}
