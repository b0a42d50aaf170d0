/** Class labels and predictions of an evaluation, one per sample. */
export interface ClassPredictions {
  readonly yTrue: Int32Array;
  /** Argmax of the outputs, or a 0.5 threshold on one sigmoid output. */
  readonly yPred: Int32Array;
  /** `[n, width]` class probabilities (logits are passed through sigmoid / softmax first). */
  readonly probabilities: Float32Array;
  readonly width: number;
}

/** Labels and outputs compared value by value. */
export interface ValuePredictions {
  readonly yTrue: Float32Array;
  readonly yPred: Float32Array;
}

/** Survival labels and one risk score per sample (higher means an earlier event). */
export interface SurvivalPredictions {
  readonly times: Float32Array;
  /** 1 for an observed event, 0 for a censored time. */
  readonly events: Float32Array;
  readonly risks: Float32Array;
}

/** What each kind of metric is given, by the `needs` it declares. */
export interface MetricInputs {
  /** Needs a classification loss (target `classes` or `binary`). */
  readonly classes: ClassPredictions;
  /** Needs labels with as many values as outputs. */
  readonly values: ValuePredictions;
  /** Needs `[time, event]` labels and one output per sample. */
  readonly survival: SurvivalPredictions;
}

/** One of {@link MetricInputs}' keys. */
export type MetricNeeds = keyof MetricInputs;

/** A metric of one kind of input. */
export interface MetricDefinitionOf<N extends MetricNeeds> {
  /** Snake_case, or `package@version/name` for a metric an npm package provides; `loss` is reserved. */
  readonly name: string;
  readonly description: string;
  readonly needs: N;
  /** Whether a larger value is a better model (accuracy), or a smaller one (mse). */
  readonly higherIsBetter: boolean;
  /** The metric over all evaluated samples. */
  compute(input: MetricInputs[N]): number;
}

/**
 * A metric as registered with {@link registerMetric}: `compute` is given the input its `needs` names.
 *
 * @example
 * ```ts
 * registerMetric({
 *   name: 'max_error',
 *   description: 'largest absolute error',
 *   needs: 'values',
 *   higherIsBetter: false,
 *   compute: ({ yTrue, yPred }) => Math.max(...yTrue.map((y, i) => Math.abs(y - yPred[i]!))),
 * });
 * ```
 */
export type MetricDefinition = { [N in MetricNeeds]: MetricDefinitionOf<N> }[MetricNeeds];
