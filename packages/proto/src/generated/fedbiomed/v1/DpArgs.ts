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
   * "update" clips and noises the whole update once; "sample" is DP-SGD: every example's gradient
   * clipped to clip_norm, the sum of each step noised.
   */
  'mode'?: (string);
  /**
   * δ at which a node without a privacy budget reports ε (0: 1e-5).
   */
  'delta'?: (number | string);
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
   * "update" clips and noises the whole update once; "sample" is DP-SGD: every example's gradient
   * clipped to clip_norm, the sum of each step noised.
   */
  'mode': (string);
  /**
   * δ at which a node without a privacy budget reports ε (0: 1e-5).
   */
  'delta': (number);
}
