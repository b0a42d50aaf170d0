import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

import type { LossDefinition } from './loss-definition';

/** Probabilities are clipped to [ε, 1 − ε] before their log, as Keras does. */
export const EPSILON = 1e-7;

const fromLogitsParams = z.strictObject({
  /** The model's outputs are logits (no final sigmoid / softmax): the loss applies it, stably. */
  fromLogits: z.boolean().default(false),
});
type FromLogits = z.infer<typeof fromLogitsParams>;

const outputsOf = ({ fromLogits }: FromLogits) => (fromLogits ? 'logits' : 'probabilities');

/** Element-wise binary cross-entropy of 0/1 labels shaped like the outputs. */
function binaryCrossEntropyTerms(y: tf.Tensor, outputs: tf.Tensor, fromLogits: boolean): tf.Tensor {
  if (fromLogits) {
    // max(x, 0) − x·y + log(1 + e^−|x|): no overflow for large |x|.
    return tf.add(tf.sub(tf.relu(outputs), tf.mul(outputs, y)), tf.log1p(tf.exp(tf.neg(tf.abs(outputs)))));
  }
  const p = outputs.clipByValue(EPSILON, 1 - EPSILON);
  return tf.neg(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))));
}

/** Labels as one-hot rows: class ids `[n, 1]` are expanded, one-hot labels pass through. */
function asOneHot(labels: tf.Tensor, outputs: tf.Tensor): tf.Tensor {
  const classes = outputs.shape[outputs.rank - 1]!;
  if (labels.shape[labels.rank - 1] === classes && classes > 1 && labels.size === outputs.size) return labels;
  return tf.oneHot(labels.reshape([-1]).toInt(), classes).toFloat();
}

function categoricalCrossEntropy(labels: tf.Tensor, outputs: tf.Tensor, { fromLogits }: FromLogits): tf.Scalar {
  const y = asOneHot(labels, outputs);
  const logP = fromLogits ? tf.logSoftmax(outputs) : tf.log(outputs.clipByValue(EPSILON, 1 - EPSILON));
  return tf.neg(tf.mean(tf.sum(tf.mul(y, logP.reshape(y.shape)), -1))) as tf.Scalar;
}

/** Mean binary cross-entropy over every output; labels are 0/1 shaped like the outputs. */
export const binaryCrossentropy: LossDefinition<FromLogits> = {
  name: 'binary_crossentropy',
  description: 'binary cross-entropy (sigmoid outputs, or logits with fromLogits)',
  target: 'binary',
  params: fromLogitsParams,
  outputs: outputsOf,
  fn: (labels, outputs, { fromLogits }) => tf.mean(binaryCrossEntropyTerms(labels.reshape(outputs.shape), outputs, fromLogits)),
};

/** Cross-entropy of one-hot labels (class ids are accepted too). */
export const categoricalCrossentropy: LossDefinition<FromLogits> = {
  name: 'categorical_crossentropy',
  description: 'categorical cross-entropy of one-hot labels (softmax outputs, or logits with fromLogits)',
  target: 'classes',
  params: fromLogitsParams,
  outputs: outputsOf,
  fn: categoricalCrossEntropy,
};

/** Cross-entropy of class-id labels (one-hot labels are accepted too). */
export const sparseCategoricalCrossentropy: LossDefinition<FromLogits> = {
  ...categoricalCrossentropy,
  name: 'sparse_categorical_crossentropy',
  description: 'categorical cross-entropy of class-id labels (softmax outputs, or logits with fromLogits)',
};

const focalParams = z.strictObject({
  /** Weight of the positive class; 1 − alpha weighs the negatives. */
  alpha: z.number().min(0).max(1).default(0.25),
  /** Focusing exponent: 0 is alpha-weighted cross-entropy. */
  gamma: z.number().min(0).default(2),
  fromLogits: z.boolean().default(false),
});
type FocalParams = z.infer<typeof focalParams>;

/**
 * Binary focal loss (Lin et al. 2017, as torchvision's `sigmoid_focal_loss` with mean reduction):
 * mean of α_t·(1 − p_t)^γ·CE, where p_t = p·y + (1 − p)(1 − y) and α_t = α·y + (1 − α)(1 − y).
 */
export const focal: LossDefinition<FocalParams> = {
  name: 'focal',
  description: 'binary focal loss α_t·(1 − p_t)^γ·CE (alpha, gamma, fromLogits)',
  target: 'binary',
  params: focalParams,
  outputs: outputsOf,
  fn: (labels, outputs, { alpha, gamma, fromLogits }) => {
    const y = labels.reshape(outputs.shape);
    const p = fromLogits ? tf.sigmoid(outputs) : outputs.clipByValue(EPSILON, 1 - EPSILON);
    const pT = tf.add(tf.mul(p, y), tf.mul(tf.sub(1, p), tf.sub(1, y)));
    const alphaT = tf.add(tf.mul(alpha, y), tf.mul(1 - alpha, tf.sub(1, y)));
    // The floor keeps (1 − p_t)^γ differentiable where a saturated sigmoid gives p_t = 1.
    const modulation = tf.pow(tf.maximum(tf.sub(1, pT), EPSILON), gamma);
    return tf.mean(tf.mul(tf.mul(alphaT, modulation), binaryCrossEntropyTerms(y, outputs, fromLogits)));
  },
};
