import * as tf from '@tensorflow/tfjs';

import type { LossName } from '../plan/plan-spec';

/** A loss: labels and model outputs of one batch to the batch's mean loss. */
export type LossFn = (labels: tf.Tensor, outputs: tf.Tensor) => tf.Scalar;

const EPSILON = 1e-7;

/**
 * The loss function of a plan. Labels come as the datasets package yields them: class ids
 * `[n, 1]` or one-hot `[n, classes]` for cross-entropies, values shaped like the output otherwise.
 */
export function lossFunction(name: LossName): LossFn {
  switch (name) {
    case 'binary_crossentropy':
      return (labels, outputs) => {
        const y = labels.reshape(outputs.shape);
        const p = outputs.clipByValue(EPSILON, 1 - EPSILON);
        return tf.neg(tf.mean(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))))) as tf.Scalar;
      };
    case 'categorical_crossentropy':
    case 'sparse_categorical_crossentropy':
      return (labels, outputs) => {
        const y = asOneHot(labels, outputs);
        const p = outputs.clipByValue(EPSILON, 1 - EPSILON);
        return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(p)), -1))) as tf.Scalar;
      };
    case 'mse':
      return (labels, outputs) => tf.mean(tf.square(tf.sub(labels.reshape(outputs.shape), outputs))) as tf.Scalar;
    case 'mae':
      return (labels, outputs) => tf.mean(tf.abs(tf.sub(labels.reshape(outputs.shape), outputs))) as tf.Scalar;
  }
}

function asOneHot(labels: tf.Tensor, outputs: tf.Tensor): tf.Tensor {
  const classes = outputs.shape[outputs.rank - 1]!;
  if (labels.shape[labels.rank - 1] === classes && classes > 1 && labels.size === outputs.size) return labels;
  return tf.oneHot(labels.reshape([-1]).toInt(), classes).toFloat();
}
