// Original file: proto/fedbiomed/v1/analytics.proto


/**
 * One value per feature (min or max).
 */
export interface FeatureValues {
  'values'?: (number | string)[];
}

/**
 * One value per feature (min or max).
 */
export interface FeatureValues__Output {
  'values': (number)[];
}
