// Original file: proto/fedbiomed/v1/messages.proto


/**
 * Pooled per-feature standardisation: a node computes (x - mean) / scale on every sample.
 */
export interface Standardization {
  'mean'?: (number | string)[];
  /**
   * Standard deviation of the pooled train rows; 1 for a constant feature.
   */
  'scale'?: (number | string)[];
}

/**
 * Pooled per-feature standardisation: a node computes (x - mean) / scale on every sample.
 */
export interface Standardization__Output {
  'mean': (number)[];
  /**
   * Standard deviation of the pooled train rows; 1 for a constant feature.
   */
  'scale': (number)[];
}
