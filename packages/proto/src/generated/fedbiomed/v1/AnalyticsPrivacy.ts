// Original file: proto/fedbiomed/v1/analytics.proto


/**
 * The differential privacy a node applied to its reply.
 */
export interface AnalyticsPrivacy {
  /**
   * "none", "laplace" or "gaussian".
   */
  'mechanism'?: (string);
  /**
   * Total epsilon of the reply (sum over its results: sequential composition).
   */
  'epsilon'?: (number | string);
  /**
   * Delta of the Gaussian mechanism; 0 for Laplace.
   */
  'delta'?: (number | string);
}

/**
 * The differential privacy a node applied to its reply.
 */
export interface AnalyticsPrivacy__Output {
  /**
   * "none", "laplace" or "gaussian".
   */
  'mechanism': (string);
  /**
   * Total epsilon of the reply (sum over its results: sequential composition).
   */
  'epsilon': (number);
  /**
   * Delta of the Gaussian mechanism; 0 for Laplace.
   */
  'delta': (number);
}
