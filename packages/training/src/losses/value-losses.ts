import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

import { EPSILON } from './cross-entropy';
import type { LossDefinition } from './loss-definition';

const noParams = z.strictObject({});
type NoParams = z.infer<typeof noParams>;

/** Mean of an element-wise term of labels (reshaped like the outputs) and outputs. */
function meanOf(labels: tf.Tensor, outputs: tf.Tensor, term: (y: tf.Tensor, outputs: tf.Tensor) => tf.Tensor): tf.Scalar {
  return tf.mean(term(labels.reshape(outputs.shape), outputs));
}

/** Mean squared error. */
export const mse: LossDefinition<NoParams> = {
  name: 'mse',
  description: 'mean squared error',
  target: 'values',
  params: noParams,
  outputs: () => 'values',
  fn: (labels, outputs) => meanOf(labels, outputs, (y, x) => tf.square(tf.sub(y, x))),
};

/** Mean absolute error. */
export const mae: LossDefinition<NoParams> = {
  name: 'mae',
  description: 'mean absolute error',
  target: 'values',
  params: noParams,
  outputs: () => 'values',
  fn: (labels, outputs) => meanOf(labels, outputs, (y, x) => tf.abs(tf.sub(y, x))),
};

const huberParams = z.strictObject({
  /** Where the loss turns from quadratic to linear. */
  delta: z.number().positive().default(1),
});

/** Huber loss: ½e² for |e| ≤ δ, δ(|e| − ½δ) beyond (Keras `Huber`). */
export const huber: LossDefinition<z.infer<typeof huberParams>> = {
  name: 'huber',
  description: 'Huber loss, quadratic within delta of the label and linear beyond (delta)',
  target: 'values',
  params: huberParams,
  outputs: () => 'values',
  fn: (labels, outputs, { delta }) =>
    meanOf(labels, outputs, (y, x) => {
      const error = tf.abs(tf.sub(y, x));
      const quadratic = tf.minimum(error, delta);
      return tf.add(tf.mul(0.5, tf.square(quadratic)), tf.mul(delta, tf.sub(error, quadratic)));
    }),
};

const poissonParams = z.strictObject({
  /** The outputs are log-rates (as PyTorch's `log_input=True`): the loss is e^x − y·x. */
  logInput: z.boolean().default(false),
});

/** Poisson negative log-likelihood without the constant log(y!): mean of ŷ − y·log(ŷ + ε), or e^x − y·x on log-rates. */
export const poisson: LossDefinition<z.infer<typeof poissonParams>> = {
  name: 'poisson',
  description: 'Poisson negative log-likelihood of counts (rates, or log-rates with logInput)',
  target: 'values',
  params: poissonParams,
  outputs: () => 'values',
  fn: (labels, outputs, { logInput }) =>
    meanOf(labels, outputs, (y, x) => (logInput ? tf.sub(tf.exp(x), tf.mul(y, x)) : tf.sub(x, tf.mul(y, tf.log(tf.add(x, EPSILON)))))),
};

const diceParams = z.strictObject({
  /** Added to numerator and denominator: keeps empty masks finite (loss 0 when both are empty). */
  smooth: z.number().positive().default(1),
});

/**
 * Soft Dice loss for segmentation: per sample 1 − (2·Σ y·p + s) / (Σ y + Σ p + s) over all its
 * outputs (probabilities, e.g. a sigmoid per pixel), then the mean over samples.
 */
export const dice: LossDefinition<z.infer<typeof diceParams>> = {
  name: 'dice',
  description: 'soft Dice loss per sample, masks shaped like the outputs (smooth)',
  target: 'values',
  params: diceParams,
  outputs: () => 'probabilities',
  fn: (labels, outputs, { smooth }) => {
    const n = outputs.shape[0]!;
    const p = outputs.reshape([n, -1]);
    const y = labels.reshape([n, -1]);
    const overlap = tf.add(tf.mul(2, tf.sum(tf.mul(y, p), 1)), smooth);
    const total = tf.add(tf.add(tf.sum(y, 1), tf.sum(p, 1)), smooth);
    return tf.mean(tf.sub(1, tf.div(overlap, total)));
  },
};
