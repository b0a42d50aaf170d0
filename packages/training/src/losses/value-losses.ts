import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

import { EPSILON } from './cross-entropy';
import type { LossDefinition } from './loss-definition';

/**
 * A regression loss: the mean over every output of an element-wise term of the label (reshaped like
 * the outputs), the output and the loss's arguments.
 */
function elementwiseLoss<P extends object>(
  name: string,
  description: string,
  params: z.ZodType<P>,
  term: (y: tf.Tensor, x: tf.Tensor, params: P) => tf.Tensor,
): LossDefinition<P> {
  return {
    name,
    description,
    target: 'values',
    params,
    outputs: () => 'values',
    fn: (labels, outputs, p) => tf.mean(term(labels.reshape(outputs.shape), outputs, p)),
  };
}

/** Mean squared error. */
export const mse = elementwiseLoss('mse', 'mean squared error', z.strictObject({}), (y, x) => tf.square(tf.sub(y, x)));

/** Mean absolute error. */
export const mae = elementwiseLoss('mae', 'mean absolute error', z.strictObject({}), (y, x) => tf.abs(tf.sub(y, x)));

const huberParams = z.strictObject({
  /** Where the loss turns from quadratic to linear. */
  delta: z.number().positive().default(1),
});

/** Huber loss: ½e² for |e| ≤ δ, δ(|e| − ½δ) beyond (Keras `Huber`). */
export const huber = elementwiseLoss('huber', 'Huber loss, quadratic within delta of the label and linear beyond (delta)', huberParams, (y, x, { delta }) => {
  const error = tf.abs(tf.sub(y, x));
  const quadratic = tf.minimum(error, delta);
  return tf.add(tf.mul(0.5, tf.square(quadratic)), tf.mul(delta, tf.sub(error, quadratic)));
});

const poissonParams = z.strictObject({
  /** The outputs are log-rates (as PyTorch's `log_input=True`): the loss is e^x − y·x. */
  logInput: z.boolean().default(false),
});

/** Poisson negative log-likelihood without the constant log(y!): mean of ŷ − y·log(ŷ + ε), or e^x − y·x on log-rates. */
export const poisson = elementwiseLoss(
  'poisson',
  'Poisson negative log-likelihood of counts (rates, or log-rates with logInput)',
  poissonParams,
  (y, x, { logInput }) => (logInput ? tf.sub(tf.exp(x), tf.mul(y, x)) : tf.sub(x, tf.mul(y, tf.log(tf.add(x, EPSILON))))),
);

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
