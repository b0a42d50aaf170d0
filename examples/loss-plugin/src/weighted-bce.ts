import * as tf from '@tensorflow/tfjs';
import type { LossDefinition } from '@fedbiomed/training';
import { z } from 'zod';

const params = z.strictObject({ positiveWeight: z.number().positive().default(1) });

/** Binary cross-entropy that weighs each positive sample `positiveWeight` times (for rare positives). */
export const weightedBce: LossDefinition<z.infer<typeof params>> = {
  name: 'weighted_bce',
  description: 'binary cross-entropy, positives weighted by positiveWeight',
  target: 'binary',
  params,
  outputs: () => 'probabilities',
  fn: (labels, outputs, { positiveWeight }) =>
    tf.tidy(() => {
      const y = labels.reshape(outputs.shape).toFloat();
      const p = outputs.clipByValue(1e-7, 1 - 1e-7);
      const positives = tf.mul(positiveWeight, tf.mul(y, tf.log(p)));
      const negatives = tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)));
      return tf.neg(tf.mean(tf.add(positives, negatives))) as tf.Scalar;
    }),
};
