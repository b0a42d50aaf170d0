import type * as tf from '@tensorflow/tfjs';

/**
 * What the loop needs of a dataset; `@fedbiomed/datasets`' `Dataset` satisfies it. Each batch's
 * tensors belong to the loop, which disposes them.
 */
export interface TrainingDataset {
  readonly size: number;
  readonly metadata: { readonly featureShape: readonly number[]; readonly numClasses: number };
  batches(options: {
    readonly indices?: readonly number[];
    readonly batchSize: number;
    readonly shuffleSeed?: number;
  }): Iterable<{ readonly xs: tf.Tensor; readonly ys: tf.Tensor }>;
}
