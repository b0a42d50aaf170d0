import type * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';

/**
 * What a loss expects as labels, which also tells evaluation and plan checks how to read them:
 * - `classes`: class ids `[n, 1]` or one-hot `[n, classes]`, one output per class;
 * - `binary`: 0/1 values shaped like the outputs (one sigmoid output for two classes);
 * - `values`: values shaped like the outputs (regression, segmentation masks);
 * - `survival`: `[n, 2]` rows of `[time, event]` (event 1, censored 0) and one output per sample.
 */
export type LossTarget = 'classes' | 'binary' | 'values' | 'survival';

/** What the model's outputs are under a loss: class probabilities, logits (pre-sigmoid / pre-softmax), or plain values. */
export type LossOutputs = 'probabilities' | 'logits' | 'values';

/** A plan's loss: a registered name, or a name with arguments checked by that loss's schema. */
export type LossRef = string | { readonly name: string; readonly params: Readonly<Record<string, unknown>> };

/**
 * A loss as registered with {@link registerLoss}. `P` is the parsed form of its arguments.
 *
 * @example
 * ```ts
 * registerLoss({
 *   name: 'squared_log_error',
 *   description: 'mean of (log1p(y) − log1p(ŷ))²',
 *   target: 'values',
 *   params: z.strictObject({}),
 *   outputs: () => 'values',
 *   fn: (labels, outputs) => tf.mean(tf.squaredDifference(tf.log1p(labels.reshape(outputs.shape)), tf.log1p(outputs))),
 * });
 * ```
 */
export interface LossDefinition<P extends object = object> {
  /** Snake_case, or `package@version/name` for a loss an npm package provides. */
  readonly name: string;
  /** One line for plan summaries and error messages. */
  readonly description: string;
  readonly target: LossTarget;
  /**
   * Schema of the arguments a plan may give (`{}` when the plan names the loss alone): use a
   * `z.strictObject` with defaults so that an unknown or out-of-range argument is refused by name.
   */
  readonly params: z.ZodType<P>;
  /** What the model outputs under these arguments (evaluation turns logits into probabilities for metrics). */
  outputs(params: P): LossOutputs;
  /** The batch's loss: labels as the dataset yields them, outputs as the model gives them. */
  fn(labels: tf.Tensor, outputs: tf.Tensor, params: P): tf.Scalar;
}

/** A loss with its arguments bound: what the loop and evaluation call. */
export interface ResolvedLoss {
  readonly definition: LossDefinition;
  readonly params: Readonly<Record<string, unknown>>;
  readonly outputs: LossOutputs;
  /** Labels and outputs of one batch to the batch's loss. */
  readonly fn: (labels: tf.Tensor, outputs: tf.Tensor) => tf.Scalar;
}
