import * as tf from '@tensorflow/tfjs';
import { addGaussianNoise, type Rng } from '@fedbiomed/strategy';

import type { BatchGradients } from '../parallel/data-parallel';

/** Per-example clipping bound and noise of one DP-SGD run (`DpArgs` with mode `sample`). */
export interface DpSgdSettings {
  /** C: every example's gradient is scaled to an L2 norm of at most C (over all trainable weights). */
  readonly clipNorm: number;
  /** σ: the sum of clipped gradients gets N(0, (σC)²) noise on every coordinate. */
  readonly noiseMultiplier: number;
  /** Source of the noise: a cryptographic one on nodes, a seeded one in tests. */
  readonly rng: Rng;
}

/** The loss of one example (a batch of one) under the model being trained. */
export type ExampleLoss = (x: tf.Tensor, y: tf.Tensor) => tf.Scalar;

/**
 * DP-SGD's gradient for one batch (Abadi et al. 2016): each example's gradient g_i, clipped to
 * g_i · min(1, C/‖g_i‖), summed, plus N(0, (σC)²·I), divided by the batch size B. tfjs has no
 * vectorised map, so the per-example gradients come from B micro-batches of one example each: one
 * forward and backward pass per example, which makes a step about B times as many kernel launches
 * as plain training (measured in docs/benchmarks/privacy.md). The returned loss is the batch's mean.
 */
export function privateBatchGradients(variables: readonly tf.Variable[], xs: tf.Tensor, ys: tf.Tensor, loss: ExampleLoss, dp: DpSgdSettings): BatchGradients {
  const batchSize = xs.shape[0]!;
  let sums: tf.Tensor[] = variables.map((v) => tf.zerosLike(v));
  let lossSum: tf.Tensor = tf.scalar(0);
  for (let i = 0; i < batchSize; i++) {
    const next = tf.tidy(() => {
      const x = xs.slice(i, 1);
      const y = ys.slice(i, 1);
      const { value, grads } = tf.variableGrads(() => loss(x, y), variables as tf.Variable[]);
      const list = variables.map((v) => grads[v.name]!);
      const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))));
      // min(1, C/‖g‖) without a read-back; the 1e-12 keeps a zero gradient at zero instead of NaN.
      const scale = tf.minimum(1, tf.div(dp.clipNorm, tf.add(norm, 1e-12)));
      return { sums: list.map((g, k) => tf.add(sums[k]!, tf.mul(g, scale))), loss: tf.add(lossSum, value) };
    });
    tf.dispose([...sums, lossSum]);
    sums = next.sums;
    lossSum = next.loss;
  }
  const grads: tf.NamedTensorMap = {};
  const noiseStd = dp.noiseMultiplier * dp.clipNorm;
  variables.forEach((v, k) => {
    const noise = new Float32Array(sums[k]!.size);
    addGaussianNoise(noise, noiseStd, dp.rng);
    grads[v.name] = tf.tidy(() => tf.div(tf.add(sums[k]!, tf.tensor(noise, sums[k]!.shape)), batchSize));
  });
  const value = tf.tidy(() => tf.div(lossSum, batchSize)) as tf.Scalar;
  tf.dispose([...sums, lossSum]);
  return { value, grads };
}
