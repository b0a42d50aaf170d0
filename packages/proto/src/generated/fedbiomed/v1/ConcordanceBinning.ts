// Original file: proto/fedbiomed/v1/concordance.proto


/**
 * Shared bin edges, each list finite and strictly increasing. With edges e_0 < ... < e_{k-1} there
 * are k + 1 bins: bin 0 holds values below e_0, bin i holds [e_{i-1}, e_i), bin k holds e_{k-1} and above.
 */
export interface ConcordanceBinning {
  /**
   * Edges on the survival time (the dataset's unit).
   */
  'timeEdges'?: (number | string)[];
  /**
   * Edges on the model's risk score (its single output).
   */
  'riskEdges'?: (number | string)[];
}

/**
 * Shared bin edges, each list finite and strictly increasing. With edges e_0 < ... < e_{k-1} there
 * are k + 1 bins: bin 0 holds values below e_0, bin i holds [e_{i-1}, e_i), bin k holds e_{k-1} and above.
 */
export interface ConcordanceBinning__Output {
  /**
   * Edges on the survival time (the dataset's unit).
   */
  'timeEdges': (number)[];
  /**
   * Edges on the model's risk score (its single output).
   */
  'riskEdges': (number)[];
}
