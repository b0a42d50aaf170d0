// Original file: proto/fedbiomed/v1/plan.proto


/**
 * Client-side differential privacy for one node's update.
 */
export interface DpArgs {
  'enabled'?: (boolean);
  /**
   * L2 norm bound applied to the node's update (or per-sample gradient, see mode).
   */
  'clipNorm'?: (number | string);
  /**
   * Noise standard deviation = noise_multiplier * clip_norm.
   */
  'noiseMultiplier'?: (number | string);
  /**
   * "update" clips and noises the whole update once.
   */
  'mode'?: (string);
}

/**
 * Client-side differential privacy for one node's update.
 */
export interface DpArgs__Output {
  'enabled': (boolean);
  /**
   * L2 norm bound applied to the node's update (or per-sample gradient, see mode).
   */
  'clipNorm': (number);
  /**
   * Noise standard deviation = noise_multiplier * clip_norm.
   */
  'noiseMultiplier': (number);
  /**
   * "update" clips and noises the whole update once.
   */
  'mode': (string);
}
