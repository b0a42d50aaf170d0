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

/** Losses that are the mean over the batch of a per-example term, so B·loss is the per-example sum. */
const PER_EXAMPLE_MEAN_LOSSES = new Set(['binary_crossentropy', 'categorical_crossentropy', 'sparse_categorical_crossentropy', 'mse', 'mae']);

/** One dense layer of a {@link DenseChain}: its kernel, optional bias and activation. */
interface DenseStep {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | undefined;
  readonly activation: (z: tf.Tensor) => tf.Tensor;
}

/** A model that is a chain of dense layers on flat inputs, with a per-example loss. */
export interface DenseChain {
  readonly steps: readonly DenseStep[];
}

interface DenseLayerInternals {
  getClassName(): string;
  getConfig(): { useBias?: boolean };
  trainableWeights: { read(): tf.Tensor }[];
  activation?: { apply(x: tf.Tensor): tf.Tensor };
}

/**
 * The model as a chain of dense layers when {@link vectorisedBatchGradients} can compute its
 * per-example gradients in batched passes; `undefined` otherwise (any other layer, inputs not flat,
 * a loss that is not a per-example mean), and the loop keeps the micro-batches.
 */
export function denseChain(model: tf.LayersModel, lossName: string): DenseChain | undefined {
  if (!PER_EXAMPLE_MEAN_LOSSES.has(lossName)) return undefined;
  if (model.inputs.length !== 1 || model.inputs[0]!.shape.length !== 2) return undefined;
  const steps: DenseStep[] = [];
  for (const layer of model.layers as unknown as DenseLayerInternals[]) {
    if (layer.getClassName() === 'InputLayer') continue;
    if (layer.getClassName() !== 'Dense' || layer.activation === undefined) return undefined;
    const useBias = layer.getConfig().useBias !== false;
    const [kernel, bias] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    if (kernel === undefined || (useBias && bias === undefined) || layer.trainableWeights.length !== (useBias ? 2 : 1)) return undefined;
    const activation = layer.activation;
    steps.push({ kernel, bias: useBias ? bias : undefined, activation: (z) => activation.apply(z) });
  }
  return steps.length > 0 ? { steps } : undefined;
}

/**
 * The same DP-SGD gradient as {@link privateBatchGradients} for a {@link DenseChain}, from two
 * batched passes instead of B: a dense layer's per-example kernel gradient is the outer product
 * a_i ⊗ g_i of its input and the gradient at its output, so its squared norm is ‖a_i‖²·‖g_i‖²
 * ("ghost clipping", Goodfellow 2015), and the sum of the clipped gradients is aᵀ·diag(s)·g.
 */
export function vectorisedBatchGradients(
  chain: DenseChain,
  xs: tf.Tensor,
  ys: tf.Tensor,
  loss: (y: tf.Tensor, output: tf.Tensor) => tf.Tensor,
  dp: DpSgdSettings,
): BatchGradients {
  const batchSize = xs.shape[0]!;
  const clipped = tf.tidy(() => {
    const inputs: tf.Tensor[] = [];
    const preActivations: tf.Tensor[] = [];
    let a: tf.Tensor = xs;
    for (const step of chain.steps) {
      inputs.push(a);
      const z = step.bias ? tf.add(tf.matMul(a as tf.Tensor2D, step.kernel as tf.Tensor2D), step.bias) : tf.matMul(a as tf.Tensor2D, step.kernel as tf.Tensor2D);
      preActivations.push(z);
      a = step.activation(z);
    }
    const value = loss(ys, a) as tf.Scalar;
    // Row i of the gradient of B·loss is example i's own gradient: the loss is a per-example mean.
    let upstream = tf.grad((out: tf.Tensor) => tf.mul(loss(ys, out), batchSize))(a);
    const outputGrads: tf.Tensor[] = new Array<tf.Tensor>(chain.steps.length);
    for (let l = chain.steps.length - 1; l >= 0; l--) {
      const step = chain.steps[l]!;
      outputGrads[l] = tf.grad((z: tf.Tensor) => step.activation(z))(preActivations[l]!, upstream);
      if (l > 0) upstream = tf.matMul(outputGrads[l]! as tf.Tensor2D, step.kernel as tf.Tensor2D, false, true);
    }
    const rowSquares = (t: tf.Tensor) => tf.sum(tf.square(t), 1);
    const squaredNorms = tf.addN(
      chain.steps.map((step, l) => {
        const g = rowSquares(outputGrads[l]!);
        const kernel = tf.mul(rowSquares(inputs[l]!), g);
        return step.bias ? tf.add(kernel, g) : kernel;
      }),
    );
    const scale = tf.minimum(1, tf.div(dp.clipNorm, tf.add(tf.sqrt(squaredNorms), 1e-12))).reshape([batchSize, 1]);
    const sums: tf.NamedTensorMap = {};
    chain.steps.forEach((step, l) => {
      const scaled = tf.mul(outputGrads[l]!, scale);
      sums[step.kernel.name] = tf.matMul(inputs[l]! as tf.Tensor2D, scaled as tf.Tensor2D, true, false);
      if (step.bias) sums[step.bias.name] = tf.sum(scaled, 0);
    });
    return { value, sums };
  });
  const grads: tf.NamedTensorMap = {};
  const noiseStd = dp.noiseMultiplier * dp.clipNorm;
  for (const [name, sum] of Object.entries(clipped.sums)) {
    const noise = new Float32Array(sum.size);
    addGaussianNoise(noise, noiseStd, dp.rng);
    grads[name] = tf.tidy(() => tf.div(tf.add(sum, tf.tensor(noise, sum.shape)), batchSize));
  }
  tf.dispose(Object.values(clipped.sums));
  return { value: clipped.value, grads };
}
