// Original file: proto/fedbiomed/v1/plan.proto


export interface OptimizerArgs {
  /**
   * "sgd", "momentum", "adam", "adagrad", "rmsprop", ...
   */
  'name'?: (string);
  'learningRate'?: (number | string);
  /**
   * Optimiser-specific arguments, e.g. momentum, beta1, beta2, epsilon.
   */
  'params'?: ({[key: string]: number | string});
}

export interface OptimizerArgs__Output {
  /**
   * "sgd", "momentum", "adam", "adagrad", "rmsprop", ...
   */
  'name': (string);
  'learningRate': (number);
  /**
   * Optimiser-specific arguments, e.g. momentum, beta1, beta2, epsilon.
   */
  'params': ({[key: string]: number});
}
