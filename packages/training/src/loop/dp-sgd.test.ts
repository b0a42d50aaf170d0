import * as tf from '@tensorflow/tfjs';
import { ArrayDataset, fitStandardization, openBreastCancer, standardize, type Dataset } from '@fedbiomed/datasets';
import { computeDpEpsilon, createCryptoRng, createSeededRng } from '@fedbiomed/strategy';
import { bundledDataset } from '@fedbiomed/test-utils';

import { buildPlan, type BuiltPlan } from '../plan/build-plan';
import { flattenWeights } from '../weights';
import { planToModel } from '../plan/plan-model';
import { resolveLoss } from '../losses/loss-registry';
import { denseChain, privateBatchGradients, vectorisedBatchGradients } from './dp-sgd';
import { dpMechanism, resolveDp } from './privacy';
import { trainLocal, type LocalTrainingArgs } from './train-local';

// Silences tfjs' one-time console advice to install tfjs-node.
tf.env().set('IS_TEST', true);

const BATCH = 16;
const LEARNING_RATE = 0.5;
const CLIP = 0.1;

/** WDBC standardised, and the same rows with row 0 replaced by an outlier: features × 1000, label flipped. */
async function wdbcWithOutlier(): Promise<{ clean: Dataset; outlier: Dataset }> {
  const raw = await openBreastCancer({ dir: bundledDataset('breast_cancer_wisconsin') });
  const all = Array.from({ length: raw.size }, (_, i) => i);
  const clean = standardize(raw, fitStandardization(raw, all));
  const [batch] = [...clean.batches({ batchSize: clean.size })];
  const features = batch!.xs.dataSync().slice() as Float32Array;
  const labels = batch!.ys.dataSync().slice() as Float32Array;
  tf.dispose([batch!.xs, batch!.ys]);
  const width = features.length / clean.size;
  for (let k = 0; k < width; k++) features[k] = features[k]! * 1000;
  labels[0] = 1 - labels[0]!;
  const { sampleCount: _ignored, ...metadata } = clean.metadata;
  return { clean, outlier: new ArrayDataset({ metadata, features, labels }) };
}

function mlpPlan(): BuiltPlan {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [30], units: 8, activation: 'relu', name: 'hidden', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  const built = buildPlan(model, { name: 'wdbc-mlp', loss: 'binary_crossentropy', optimizer: { name: 'sgd', learningRate: LEARNING_RATE }, metrics: ['loss'] });
  model.dispose();
  return built;
}

function distance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  a.forEach((v, k) => (sum += (v - b[k]!) ** 2));
  return Math.sqrt(sum);
}

describe('DP-SGD in the local loop (dp.mode "sample")', () => {
  let data: Awaited<ReturnType<typeof wdbcWithOutlier>>;
  let plan: BuiltPlan;
  beforeAll(async () => {
    data = await wdbcWithOutlier();
    plan = mlpPlan();
  });
  const rows = Array.from({ length: BATCH }, (_, i) => i);
  const run = (dataset: Dataset, args: LocalTrainingArgs) =>
    trainLocal({ plan: plan.spec, weights: plan.initialWeights, dataset, trainIndices: rows, args: { batchSize: BATCH, randomSeed: 5, ...args } });
  const dpSgd = { enabled: true, mode: 'sample', clipNorm: CLIP, noiseMultiplier: 0 };

  it('bounds what one outlier example moves a step by: 2·C·lr/B between the neighbouring datasets, C·lr in all', async () => {
    const global = flattenWeights(plan.initialWeights);
    const clean = flattenWeights((await run(data.clean, { numUpdates: 1, dp: dpSgd })).weights);
    const outlier = flattenWeights((await run(data.outlier, { numUpdates: 1, dp: dpSgd })).weights);
    expect(distance(clean, outlier)).toBeLessThanOrEqual((2 * CLIP * LEARNING_RATE) / BATCH + 1e-6);
    expect(distance(outlier, global)).toBeLessThanOrEqual(CLIP * LEARNING_RATE + 1e-6);
    // Over several steps, each step moves the weights by at most C·lr.
    const steps = 5;
    const five = flattenWeights((await run(data.outlier, { numUpdates: steps, dp: dpSgd })).weights);
    expect(distance(five, global)).toBeLessThanOrEqual(steps * CLIP * LEARNING_RATE + 1e-6);
  });

  it('is what the bound needs: without per-example clipping the outlier moves the step beyond 2·C·lr', async () => {
    const clean = flattenWeights((await run(data.clean, { numUpdates: 1 })).weights);
    const outlier = flattenWeights((await run(data.outlier, { numUpdates: 1 })).weights);
    expect(distance(clean, outlier)).toBeGreaterThan(2 * CLIP * LEARNING_RATE);
  });

  it('clips each example, not the batch: an all-clean batch still trains, with the outlier only scaled down', async () => {
    const clean = await run(data.clean, { epochs: 20, dp: { ...dpSgd, clipNorm: 1 }, testOnLocalUpdates: false });
    expect(clean.numUpdates).toBe(20);
    expect(distance(flattenWeights(clean.weights), flattenWeights(plan.initialWeights))).toBeGreaterThan(0);
  });

  it('refuses an unknown DP mode and a clip norm of zero, naming them', () => {
    expect(() => resolveDp({ enabled: true, mode: 'batch', clipNorm: 1, noiseMultiplier: 1 })).toThrow(/DP mode "batch" is not supported/);
    expect(() => resolveDp({ enabled: true, mode: 'sample', clipNorm: 0, noiseMultiplier: 1 })).toThrow(/clipNorm > 0/);
    expect(resolveDp({ enabled: false, mode: 'sample' })).toBeUndefined();
  });
});

describe('privateBatchGradients', () => {
  it('adds N(0, (σC)²) to the sum of clipped gradients, then divides by the batch size', () => {
    const size = 20000;
    const batch = 4;
    const clipNorm = 2;
    const noiseMultiplier = 1.5;
    const v = tf.variable(tf.zeros([size]), true, 'dp_noise_probe');
    // loss_i = Σ v·x_i, so example i's gradient is x_i itself: norms of about 140, all clipped to C.
    const xs = tf.randomNormal([batch, size], 0, 1, 'float32', 9);
    const { value, grads } = privateBatchGradients([v], xs, tf.zeros([batch, 1]), (x) => tf.sum(tf.mul(v, x)) as tf.Scalar, {
      clipNorm,
      noiseMultiplier,
      rng: createCryptoRng(),
    });
    const rowsOfX = xs.arraySync() as number[][];
    const clippedSum = new Float64Array(size);
    for (const row of rowsOfX) {
      const norm = Math.hypot(...row);
      row.forEach((x, k) => (clippedSum[k] = clippedSum[k]! + (x * clipNorm) / norm));
    }
    const got = grads[v.name]!.dataSync();
    const noise = Array.from(got, (g, k) => g * batch - clippedSum[k]!);
    const mean = noise.reduce((a, b) => a + b, 0) / size;
    const std = Math.sqrt(noise.reduce((a, b) => a + (b - mean) ** 2, 0) / (size - 1));
    // Standard error of the sample std is σC/√(2n) ≈ 0.5 %; 4 % leaves eight of them.
    expect(Math.abs(std / (noiseMultiplier * clipNorm) - 1)).toBeLessThan(0.04);
    expect(Math.abs(mean)).toBeLessThan((4 * noiseMultiplier * clipNorm) / Math.sqrt(size));
    tf.dispose([v, xs, value, ...Object.values(grads)]);
  });

  it('is reproducible with a seeded source and disposes what it allocates', () => {
    const v = tf.variable(tf.ones([3]), true, 'dp_seed_probe');
    const xs = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const ys = tf.zeros([2, 1]);
    const before = tf.memory().numTensors;
    const once = () => {
      const r = privateBatchGradients([v], xs, ys, (x) => tf.sum(tf.mul(v, x)) as tf.Scalar, { clipNorm: 1, noiseMultiplier: 1, rng: createSeededRng(4) });
      const out = r.grads[v.name]!.dataSync().slice();
      tf.dispose([r.value, ...Object.values(r.grads)]);
      return out;
    };
    expect(once()).toEqual(once());
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([v, xs, ys]);
  });
});

describe('vectorisedBatchGradients: per-example clipping of a dense chain in batched passes', () => {
  it('gives the micro-batch gradients (clipped and summed per example) on WDBC, with and without bias', async () => {
    const { clean } = await wdbcWithOutlier();
    const [batch] = [...clean.batches({ batchSize: 24, indices: Array.from({ length: 24 }, (_, i) => i) })];
    for (const useBias of [true, false]) {
      const model = tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [30], units: 8, activation: 'tanh', useBias, kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }) }),
          tf.layers.dense({ units: 4, activation: 'relu', useBias, kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) }),
          tf.layers.dense({ units: 1, activation: 'sigmoid', useBias, kernelInitializer: tf.initializers.glorotUniform({ seed: 10 }) }),
        ],
      });
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const loss = resolveLoss('binary_crossentropy').fn;
      const dp = { clipNorm: 0.3, noiseMultiplier: 0, rng: createSeededRng(1) };
      const chain = denseChain(model, 'binary_crossentropy')!;
      expect(chain.steps).toHaveLength(3);
      const tensorsBefore = tf.memory().numTensors;
      const fast = vectorisedBatchGradients(chain, batch!.xs, batch!.ys, loss, dp);
      const slow = privateBatchGradients(variables, batch!.xs, batch!.ys, (x, y) => loss(y, model.apply(x) as tf.Tensor) as tf.Scalar, dp);
      expect(Object.keys(fast.grads).sort()).toEqual(Object.keys(slow.grads).sort());
      for (const name of Object.keys(slow.grads)) {
        const [f, g] = [fast.grads[name]!.dataSync(), slow.grads[name]!.dataSync()];
        f.forEach((value, k) => expect(value).toBeCloseTo(g[k]!, 5));
      }
      expect(fast.value.dataSync()[0]).toBeCloseTo(slow.value.dataSync()[0]!, 5);
      tf.dispose([fast.value, slow.value, ...Object.values(fast.grads), ...Object.values(slow.grads)]);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      model.dispose();
    }
    tf.dispose([batch!.xs, batch!.ys]);
  });

  it('leaves models with other layers, and losses that mix examples, to the micro-batches', async () => {
    const cnn = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3 }), tf.layers.flatten(), tf.layers.dense({ units: 1 })] });
    expect(denseChain(cnn, 'mse')).toBeUndefined();
    const mlp = await planToModel(mlpPlan().spec);
    expect(denseChain(mlp, 'cox_ph')).toBeUndefined();
    expect(denseChain(mlp, 'binary_crossentropy')).toBeDefined();
    cnn.dispose();
    mlp.dispose();
  });
});

describe('dpMechanism: what the accountant is fed', () => {
  it('feeds q = batch/train size, σ and the steps of the round: TF Privacy\'s MNIST figure comes out', () => {
    const mechanism = dpMechanism(resolveDp({ enabled: true, mode: 'sample', clipNorm: 1, noiseMultiplier: 1.1 }), {
      trainSize: 60000,
      batchSize: 256,
      numUpdates: Math.ceil((60 * 60000) / 256),
    })!;
    expect(mechanism).toEqual({ mode: 'sample', samplingRate: 256 / 60000, noiseMultiplier: 1.1, steps: 14063 });
    // The figure the accountant's own test checks against TF Privacy's README (ε = 3.01 at δ = 1e-5).
    expect(computeDpEpsilon({ ...mechanism, delta: 1e-5 }).epsilon).toBeCloseTo(3.01, 2);
  });

  it('counts epochs × batches per epoch, capped by batchMaxnum; the update mode is one full-batch release at σ/2', () => {
    const dp = resolveDp({ enabled: true, mode: 'sample', clipNorm: 1, noiseMultiplier: 1 });
    expect(dpMechanism(dp, { trainSize: 100, batchSize: 32, epochs: 3 })?.steps).toBe(12);
    expect(dpMechanism(dp, { trainSize: 100, batchSize: 32, epochs: 3, batchMaxnum: 2 })?.steps).toBe(6);
    expect(dpMechanism(dp, { trainSize: 10, batchSize: 32 })).toMatchObject({ samplingRate: 1, steps: 1 });
    expect(dpMechanism(resolveDp({ enabled: true, mode: 'update', clipNorm: 1, noiseMultiplier: 2 }), { trainSize: 100 })).toEqual({
      mode: 'update',
      samplingRate: 1,
      noiseMultiplier: 1,
      steps: 1,
    });
    expect(dpMechanism(undefined, { trainSize: 100 })).toBeUndefined();
  });
});
