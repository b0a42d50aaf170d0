// Original file: proto/fedbiomed/v1/privacy.proto


/**
 * The privacy one train task cost the dataset it ran on, and where the dataset stands. ε values
 * are for record-level (ε, δ)-DP at `delta`: the node's budget δ, or the request's `DpArgs.delta`
 * on a node without a budget. RDP composes, so ε values are not summed but recomputed.
 */
export interface PrivacySpent {
  /**
   * "sample" (DP-SGD, per-example clipping) or "update" (the whole update clipped and noised).
   */
  'mechanism'?: (string);
  /**
   * The accountant's inputs: q per step, σ relative to one record's sensitivity, steps.
   */
  'samplingRate'?: (number | string);
  'noiseMultiplier'?: (number | string);
  'steps'?: (number);
  'delta'?: (number | string);
  /**
   * ε of this task alone.
   */
  'epsilonRound'?: (number | string);
  /**
   * ε of every task of this experiment on this dataset so far, this one included.
   */
  'epsilonExperiment'?: (number | string);
  /**
   * ε of every task on this dataset, across all experiments.
   */
  'epsilonDataset'?: (number | string);
  /**
   * The dataset's budget ε under the node's policy; 0 when it has none.
   */
  'budgetEpsilon'?: (number | string);
}

/**
 * The privacy one train task cost the dataset it ran on, and where the dataset stands. ε values
 * are for record-level (ε, δ)-DP at `delta`: the node's budget δ, or the request's `DpArgs.delta`
 * on a node without a budget. RDP composes, so ε values are not summed but recomputed.
 */
export interface PrivacySpent__Output {
  /**
   * "sample" (DP-SGD, per-example clipping) or "update" (the whole update clipped and noised).
   */
  'mechanism': (string);
  /**
   * The accountant's inputs: q per step, σ relative to one record's sensitivity, steps.
   */
  'samplingRate': (number);
  'noiseMultiplier': (number);
  'steps': (number);
  'delta': (number);
  /**
   * ε of this task alone.
   */
  'epsilonRound': (number);
  /**
   * ε of every task of this experiment on this dataset so far, this one included.
   */
  'epsilonExperiment': (number);
  /**
   * ε of every task on this dataset, across all experiments.
   */
  'epsilonDataset': (number);
  /**
   * The dataset's budget ε under the node's policy; 0 when it has none.
   */
  'budgetEpsilon': (number);
}
